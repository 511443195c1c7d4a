/**
 * The on/off switch of a scenario. Turning one on first shows its dry run — who would
 * enter in the next days and how many emails they would get — and asks to confirm.
 */

import { Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { ScenarioDryRunDocument, UpdateScenarioDocument } from "../../gql/graphql";
import { useApp, useMutation, useQuery } from "../../app/hooks";
import { formatCount } from "../../format/numbers";
import { ConfirmDialog } from "../../ui/ConfirmDialog";
import { Switch } from "../../ui/form";
import { Loading } from "../../ui/states";

const DAYS = 7;

function DryRunSummary({ scenarioKey }: { scenarioKey: string }) {
  const dryRun = useQuery(ScenarioDryRunDocument, { key: scenarioKey, days: DAYS });
  const numbers = dryRun.data?.scenario?.dryRun;
  if (dryRun.error) return <Text color="critical1">The dry run failed: {dryRun.error.message}</Text>;
  if (!numbers) return <Loading label="Working out who would enter" rows={2} />;
  return (
    <div data-testid="dry-run">
      <Text as="p" size={4} display="block">
        In the next {numbers.days} days about <strong data-testid="dry-run-entries">{formatCount(numbers.expectedEntries)}</strong>{" "}
        customers would enter ({numbers.perDay.toFixed(1)} a day), {formatCount(numbers.heldOut)} of them held out to measure
        it. They would get at most {formatCount(numbers.emailsExpected)} emails ({numbers.sendsPerEntry} each at most).
      </Text>
      <Text as="p" size={2} color="default2" display="block" marginTop={2}>
        Estimated from {numbers.basis}.
      </Text>
    </div>
  );
}

export function ScenarioSwitch({ scenario, onChanged }: {
  scenario: { key: string; name: string; enabled: boolean };
  onChanged?: () => void;
}) {
  const { session } = useApp();
  const [asking, setAsking] = useState<boolean | null>(null);
  const [update, updating] = useMutation(UpdateScenarioDocument);
  const [problem, setProblem] = useState<string>();

  const apply = async (enabled: boolean) => {
    const result = await update({ key: scenario.key, input: { enabled } });
    const errors = result?.scenarioUpdate?.errors ?? [];
    if (!result || errors.length) {
      setProblem(errors.map((error) => error.message).join(" ") || updating.error?.message || "The change was not saved.");
      return;
    }
    setAsking(null);
    setProblem(undefined);
    session.notify("success", enabled ? `${scenario.name} is on` : `${scenario.name} is off`);
    onChanged?.();
  };

  return (
    <>
      <Switch
        label={scenario.enabled ? "On" : "Off"}
        checked={scenario.enabled}
        onChange={(checked) => setAsking(checked)}
        accessibleName={`${scenario.name} on`}
      />
      <ConfirmDialog
        open={asking !== null}
        title={asking ? `Turn on ${scenario.name}?` : `Turn off ${scenario.name}?`}
        confirmLabel={asking ? "Turn on" : "Turn off"}
        busy={updating.running}
        onCancel={() => {
          setAsking(null);
          setProblem(undefined);
        }}
        onConfirm={() => void apply(Boolean(asking))}
      >
        {asking ? (
          <DryRunSummary scenarioKey={scenario.key} />
        ) : (
          <Text as="p" size={4}>
            No new customers will enter it. Results so far stay on the Results page.
          </Text>
        )}
        {problem ? (
          <Text as="p" size={3} color="critical1" role="alert" display="block" marginTop={2}>
            {problem}
          </Text>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
