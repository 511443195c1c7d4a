/** The stage thresholds and the storefront origins (lifecycleSettings). */

import { Box, Text } from "@saleor/macaw-ui";
import { type FormEvent, useEffect, useState } from "react";

import {
  type LifecycleSettingsFieldsFragment,
  LifecycleSettingsFormDocument,
  SaveLifecycleSettingsDocument,
} from "../../gql/graphql";
import { useMutation, useQuery } from "../../app/hooks";
import { numberBetween, parseNumber, parseOrigins, validate } from "../../format/validation";
import { Field, SaveBar, Switch } from "../../ui/form";
import { Section } from "../../ui/layout";
import { ErrorState, Loading } from "../../ui/states";

type Values = {
  reorderIntervalOverrideDays: string;
  defaultReorderIntervalDays: string;
  atRiskFactor: string;
  lapsedFactor: string;
  lapsedMaxDays: string;
  sunsetAfterLapsedDays: string;
  storefrontOrigins: string;
};

const CHECKS = {
  reorderIntervalOverrideDays: [numberBetween(1, 3650, { optional: true })],
  defaultReorderIntervalDays: [numberBetween(1, 3650)],
  atRiskFactor: [numberBetween(0.05, 10)],
  lapsedFactor: [numberBetween(0.05, 10)],
  lapsedMaxDays: [numberBetween(1, 3650)],
  sunsetAfterLapsedDays: [numberBetween(1, 3650)],
  storefrontOrigins: [(text: string) => parseOrigins(text).problem],
};

function toValues(settings: LifecycleSettingsFieldsFragment): Values {
  return {
    reorderIntervalOverrideDays: settings.reorderIntervalOverrideDays?.toString() ?? "",
    defaultReorderIntervalDays: settings.defaultReorderIntervalDays.toString(),
    atRiskFactor: settings.atRiskFactor.toString(),
    lapsedFactor: settings.lapsedFactor.toString(),
    lapsedMaxDays: settings.lapsedMaxDays.toString(),
    sunsetAfterLapsedDays: settings.sunsetAfterLapsedDays.toString(),
    storefrontOrigins: settings.storefrontOrigins.join("\n"),
  };
}

export function LifecycleForm() {
  const query = useQuery(LifecycleSettingsFormDocument, {});
  const [save, saving] = useMutation(SaveLifecycleSettingsDocument);
  const settings = query.data?.lifecycleSettings;
  const [values, setValues] = useState<Values | undefined>();
  const [writeMetadata, setWriteMetadata] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<keyof Values, string>>>({});
  const [message, setMessage] = useState<string>();

  useEffect(() => {
    if (settings) {
      setValues(toValues(settings));
      setWriteMetadata(settings.writeSaleorMetadata);
    }
  }, [settings]);

  if (query.error) return <ErrorState error={query.error} what="the lifecycle settings" onRetry={query.refetch} />;
  if (!settings || !values) return <Loading label="Loading the lifecycle settings" rows={4} />;

  const dirty = JSON.stringify(values) !== JSON.stringify(toValues(settings)) || writeMetadata !== settings.writeSaleorMetadata;
  const set = (field: keyof Values) => (value: string) => {
    setValues({ ...values, [field]: value });
    setMessage(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = validate(values, CHECKS);
    setErrors(problems);
    if (Object.keys(problems).length) return;
    const result = await save({
      input: {
        reorderIntervalOverrideDays: parseNumber(values.reorderIntervalOverrideDays),
        defaultReorderIntervalDays: parseNumber(values.defaultReorderIntervalDays),
        atRiskFactor: parseNumber(values.atRiskFactor),
        lapsedFactor: parseNumber(values.lapsedFactor),
        lapsedMaxDays: parseNumber(values.lapsedMaxDays),
        sunsetAfterLapsedDays: parseNumber(values.sunsetAfterLapsedDays),
        writeSaleorMetadata: writeMetadata,
        storefrontOrigins: parseOrigins(values.storefrontOrigins).origins,
      },
    });
    const answer = result?.updateLifecycleSettings;
    if (answer?.errors.length) {
      setErrors(Object.fromEntries(answer.errors.map((error) => [error.field ?? "storefrontOrigins", error.message])));
    } else if (answer?.lifecycleSettings) {
      setMessage("Saved. Stages are recomputed when a threshold changes.");
      query.refetch();
    }
  };

  return (
    <Section
      id="lifecycle-settings"
      title="Stages"
      description={`A customer is at risk after ${settings.atRiskFactor}× their usual reorder interval (now ${Math.round(settings.reorderIntervalDays)} days, ${settings.intervalSource}), lapsed after ${settings.lapsedFactor}× (at most ${settings.lapsedMaxDays} days), and sunset ${settings.sunsetAfterLapsedDays} days after lapsing.`}
    >
      <form onSubmit={submit} noValidate aria-label="Stage thresholds">
        <div className="form-grid">
          <Field
            label="Reorder interval override (days)"
            type="number"
            value={values.reorderIntervalOverrideDays}
            onChange={set("reorderIntervalOverrideDays")}
            error={errors.reorderIntervalOverrideDays}
            help={
              settings.computedReorderIntervalDays
                ? `Empty: use the computed ${Math.round(settings.computedReorderIntervalDays)} days (from ${settings.computedFromPairs} reorders).`
                : "Empty: computed from your customers' reorders once there are enough."
            }
          />
          <Field label="Default reorder interval (days)" type="number" value={values.defaultReorderIntervalDays} onChange={set("defaultReorderIntervalDays")} error={errors.defaultReorderIntervalDays} help="Until enough reorders are known." />
          <Field label="At risk after (× interval)" type="number" value={values.atRiskFactor} onChange={set("atRiskFactor")} error={errors.atRiskFactor} />
          <Field label="Lapsed after (× interval)" type="number" value={values.lapsedFactor} onChange={set("lapsedFactor")} error={errors.lapsedFactor} />
          <Field label="Lapsed at the latest after (days)" type="number" value={values.lapsedMaxDays} onChange={set("lapsedMaxDays")} error={errors.lapsedMaxDays} />
          <Field label="Sunset after lapsing (days)" type="number" value={values.sunsetAfterLapsedDays} onChange={set("sunsetAfterLapsedDays")} error={errors.sunsetAfterLapsedDays} />
        </div>
        <Box marginTop={4}>
          <Switch
            label="Write each customer's stage into their Saleor metadata"
            checked={writeMetadata}
            onChange={(checked) => {
              setWriteMetadata(checked);
              setMessage(undefined);
            }}
            description="Other apps and the storefront can read lifecycle.stage from the user's metadata."
          />
        </Box>
        <Box marginTop={4}>
          <label className="field-label" htmlFor="storefront-origins">
            Storefront origins allowed to call the app's API (one a line)
          </label>
          <textarea
            id="storefront-origins"
            className="native-select"
            rows={3}
            value={values.storefrontOrigins}
            aria-invalid={errors.storefrontOrigins ? true : undefined}
            aria-describedby="storefront-origins-help"
            onChange={(event) => set("storefrontOrigins")(event.target.value)}
          />
          <Text as="p" size={1} color="default2" id="storefront-origins-help">
            e.g. https://shop.example.com — the storefront shows customers their stage and codes.
          </Text>
          {errors.storefrontOrigins ? <div className="field-error" role="alert">{errors.storefrontOrigins}</div> : null}
        </Box>
        <SaveBar
          saving={saving.running}
          dirty={dirty}
          message={message}
          error={saving.error?.message}
          onReset={() => {
            setValues(toValues(settings));
            setWriteMetadata(settings.writeSaleorMetadata);
            setErrors({});
          }}
        />
      </form>
    </Section>
  );
}
