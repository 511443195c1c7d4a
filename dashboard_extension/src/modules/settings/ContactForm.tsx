/** Frequency budget, quiet hours and cart idle time (contactPolicy). */

import { type FormEvent, useState } from "react";

import { type ContactPolicyFieldsFragment, ContactPolicyFormDocument, SaveContactPolicyDocument } from "../../gql/graphql";
import { useMutation, useQuery } from "../../app/hooks";
import { clockTime, numberBetween, parseNumber, required, validate } from "../../format/validation";
import { Field, SaveBar } from "../../ui/form";
import { Section } from "../../ui/layout";
import { ErrorState, Loading } from "../../ui/states";
import { errorsByField, useDraft } from "./useDraft";

type Values = Record<keyof ContactPolicyFieldsFragment, string>;

const CHECKS = {
  minHoursBetween: [numberBetween(0, 720)],
  maxPerWeek: [numberBetween(1, 50, { integer: true })],
  quietStart: [clockTime],
  quietEnd: [clockTime],
  timeZone: [required],
  cartIdleMinutes: [numberBetween(5, 10080, { integer: true })],
};

function toValues(policy: ContactPolicyFieldsFragment | undefined): Values | undefined {
  return policy
    ? {
        minHoursBetween: String(policy.minHoursBetween),
        maxPerWeek: String(policy.maxPerWeek),
        quietStart: policy.quietStart,
        quietEnd: policy.quietEnd,
        timeZone: policy.timeZone,
        cartIdleMinutes: String(policy.cartIdleMinutes),
      }
    : undefined;
}

export function ContactForm() {
  const query = useQuery(ContactPolicyFormDocument, {});
  const policy = query.data?.contactPolicy;
  const form = useDraft(toValues(policy));
  const [save, saving] = useMutation(SaveContactPolicyDocument);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string>();

  if (query.error) return <ErrorState error={query.error} what="the frequency budget" onRetry={query.refetch} />;
  if (!policy || !form.draft) return <Loading label="Loading the frequency budget" rows={3} />;
  const values = form.draft;
  const set = (field: keyof Values) => (value: string) => {
    form.set(field)(value);
    setMessage(undefined);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems = validate(values, CHECKS);
    setErrors(problems as Record<string, string>);
    if (Object.keys(problems).length) return;
    const changed = form.changed();
    const input = {
      ...(changed.minHoursBetween !== undefined ? { minHoursBetween: parseNumber(changed.minHoursBetween) } : {}),
      ...(changed.maxPerWeek !== undefined ? { maxPerWeek: parseNumber(changed.maxPerWeek) } : {}),
      ...(changed.quietStart !== undefined ? { quietStart: changed.quietStart.trim() } : {}),
      ...(changed.quietEnd !== undefined ? { quietEnd: changed.quietEnd.trim() } : {}),
      ...(changed.timeZone !== undefined ? { timeZone: changed.timeZone.trim() } : {}),
      ...(changed.cartIdleMinutes !== undefined ? { cartIdleMinutes: parseNumber(changed.cartIdleMinutes) } : {}),
    };
    const result = await save({ input });
    const answer = result?.updateContactPolicy;
    if (answer?.errors.length) setErrors(errorsByField(answer.errors));
    else if (answer?.contactPolicy) {
      setMessage("Saved. Steps that would break these wait for the next allowed moment.");
      query.refetch();
    }
  };

  return (
    <Section
      id="contact-policy"
      title="How often and when"
      description={`At most one marketing email every ${policy.minHoursBetween} hours and ${policy.maxPerWeek} in any 7 days, none between ${policy.quietStart} and ${policy.quietEnd} (${policy.timeZone}). A step that would break this is delayed, never dropped.`}
    >
      <form onSubmit={submit} noValidate aria-label="Frequency budget and quiet hours">
        <div className="form-grid">
          <Field label="Hours between marketing emails" type="number" value={values.minHoursBetween} onChange={set("minHoursBetween")} error={errors.minHoursBetween} />
          <Field label="At most per 7 days" type="number" inputMode="numeric" value={values.maxPerWeek} onChange={set("maxPerWeek")} error={errors.maxPerWeek} />
          <Field label="Quiet hours start" value={values.quietStart} onChange={set("quietStart")} error={errors.quietStart} placeholder="21:00" />
          <Field label="Quiet hours end" value={values.quietEnd} onChange={set("quietEnd")} error={errors.quietEnd} placeholder="08:00" help="Same as the start: no quiet hours." />
          <Field label="Shop time zone" value={values.timeZone} onChange={set("timeZone")} error={errors.timeZone} placeholder="Europe/Warsaw" />
          <Field label="Cart abandoned after (minutes idle)" type="number" inputMode="numeric" value={values.cartIdleMinutes} onChange={set("cartIdleMinutes")} error={errors.cartIdleMinutes} />
        </div>
        {errors._ ? <div className="field-error" role="alert">{errors._}</div> : null}
        <SaveBar
          saving={saving.running}
          dirty={form.dirty}
          message={message}
          error={saving.error?.message}
          onReset={() => {
            form.reset();
            setErrors({});
          }}
        />
      </form>
    </Section>
  );
}
