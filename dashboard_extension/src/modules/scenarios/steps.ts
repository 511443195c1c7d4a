/**
 * A scenario's steps as the editor holds them (strings, as typed), checked the way the
 * app's scenario definitions check them (saleor_lifecycle/scenarios/definitions.py), and
 * turned back into the patch scenarioUpdate takes: only the steps and fields that changed.
 */

import type { OfferKind, ScenarioStepFieldsFragment, ScenarioStepInput } from "../../gql/graphql";
import { clockTime, parseNumber } from "../../format/validation";

/** A wait lasts at most two years. */
export const MAX_DELAY_HOURS = 730 * 24;
export const MAX_OFFER_DAYS = 365;

export interface StepDraft {
  key: string;
  kind: ScenarioStepFieldsFragment["kind"];
  delayHours: string;
  untilLocalTime: string;
  template: string;
  /** "" sends no code */
  offerKind: OfferKind | "";
  offerValue: string;
  offerValidDays: string;
  offerMinOrderValue: string;
}

export type StepErrors = Partial<Record<"delayHours" | "untilLocalTime" | "template" | "offerValue" | "offerValidDays" | "offerMinOrderValue", string>>;

const text = (value: number | null | undefined) => (value === null || value === undefined ? "" : String(value));

export function toDraft(step: ScenarioStepFieldsFragment): StepDraft {
  return {
    key: step.key,
    kind: step.kind,
    delayHours: text(step.delayHours),
    untilLocalTime: step.untilLocalTime ?? "",
    template: step.template ?? "",
    offerKind: step.offer?.kind ?? "",
    offerValue: step.offer ? text(step.offer.value) : "",
    offerValidDays: step.offer ? text(step.offer.validDays) : "7",
    offerMinOrderValue: step.offer ? text(step.offer.minOrderValue) : "",
  };
}

function numberProblem(raw: string, { low, high, lowExclusive = false, optional = false }: {
  low: number;
  high: number;
  lowExclusive?: boolean;
  optional?: boolean;
}): string | undefined {
  const value = parseNumber(raw);
  if (value === null) return optional ? undefined : "Required.";
  if (!Number.isFinite(value)) return "Enter a number.";
  if (lowExclusive ? value <= low : value < low) return lowExclusive ? `Must be more than ${low}.` : `Must be at least ${low}.`;
  if (value > high) return `Must be at most ${high}.`;
  return undefined;
}

export function checkStep(draft: StepDraft): StepErrors {
  const errors: StepErrors = {};
  if (draft.kind === "WAIT") {
    if (!draft.delayHours.trim() && !draft.untilLocalTime.trim()) {
      errors.delayHours = "A wait needs a duration, a time of day, or both.";
    } else {
      const delay = numberProblem(draft.delayHours, { low: 0, high: MAX_DELAY_HOURS, lowExclusive: true, optional: true });
      if (delay) errors.delayHours = delay;
      if (draft.untilLocalTime.trim()) {
        const time = clockTime(draft.untilLocalTime);
        if (time) errors.untilLocalTime = time;
      }
    }
  }
  if (draft.kind === "SEND") {
    if (!draft.template) errors.template = "Choose the email to send.";
    if (draft.offerKind === "PERCENTAGE" || draft.offerKind === "FIXED_AMOUNT") {
      const value = numberProblem(draft.offerValue, {
        low: 0,
        high: draft.offerKind === "PERCENTAGE" ? 100 : Number.MAX_SAFE_INTEGER,
        lowExclusive: true,
      });
      if (value) errors.offerValue = value;
    }
    if (draft.offerKind) {
      const days = numberProblem(draft.offerValidDays, { low: 0, high: MAX_OFFER_DAYS, lowExclusive: true });
      if (days) errors.offerValidDays = days;
      const minimum = numberProblem(draft.offerMinOrderValue, { low: 0, high: Number.MAX_SAFE_INTEGER, optional: true });
      if (minimum) errors.offerMinOrderValue = minimum;
    }
  }
  return errors;
}

function offerInput(draft: StepDraft): ScenarioStepInput["offer"] {
  if (!draft.offerKind) return null;
  return {
    kind: draft.offerKind,
    value: draft.offerKind === "FREE_SHIPPING" || draft.offerKind === "GIFT" ? 0 : parseNumber(draft.offerValue),
    validDays: parseNumber(draft.offerValidDays),
    minOrderValue: parseNumber(draft.offerMinOrderValue),
  };
}

/** The patch for scenarioUpdate: each changed step with only its changed fields. */
export function stepChanges(original: readonly StepDraft[], drafts: readonly StepDraft[]): ScenarioStepInput[] {
  const before = new Map(original.map((step) => [step.key, step]));
  const changes: ScenarioStepInput[] = [];
  for (const draft of drafts) {
    const old = before.get(draft.key);
    if (!old) continue;
    const change: ScenarioStepInput = { key: draft.key };
    if (draft.kind === "WAIT") {
      if (parseNumber(draft.delayHours) !== parseNumber(old.delayHours)) change.delayHours = parseNumber(draft.delayHours);
      if (draft.untilLocalTime.trim() !== old.untilLocalTime.trim()) change.untilLocalTime = draft.untilLocalTime.trim() || null;
    }
    if (draft.kind === "SEND") {
      if (draft.template !== old.template) change.template = draft.template;
      if (JSON.stringify(offerInput(draft)) !== JSON.stringify(offerInput(old))) change.offer = offerInput(draft);
    }
    if (Object.keys(change).length > 1) changes.push(change);
  }
  return changes;
}

/** "steps[2].delayHours" → the key of the third step in the patch, and the field. */
export function locateProblem(field: string | null, patch: readonly ScenarioStepInput[]): { step?: string; field?: string } {
  const match = /^steps\[(\d+)\](?:\.(\w+))?/.exec(field ?? "");
  if (!match) return {};
  return { step: patch[Number(match[1])]?.key, field: match[2] };
}

export interface TimelineEntry {
  key: string;
  kind: StepDraft["kind"];
  /** hours after entering the scenario, on the path where every branch takes `then` */
  atHours: number;
  /** the wait also lasts until this time of day, so the real time is later */
  untilLocalTime?: string;
}

/** When each step runs, following `next` (and `then` at branches) from the first step. */
type TimelineStep = Pick<StepDraft, "key" | "kind" | "delayHours" | "untilLocalTime"> & {
  next?: string | null;
  then?: string | null;
};

export function timeline(steps: readonly TimelineStep[]): TimelineEntry[] {
  const byKey = new Map(steps.map((step) => [step.key, step]));
  const entries: TimelineEntry[] = [];
  const seen = new Set<string>();
  let hours = 0;
  let until: string | undefined;
  let current: TimelineStep | undefined = steps[0];
  // Bounded like the app's interpreter: never more moves than steps.
  while (current && !seen.has(current.key) && entries.length <= steps.length) {
    seen.add(current.key);
    if (current.kind === "WAIT") {
      hours += parseNumber(current.delayHours) ?? 0;
      until = current.untilLocalTime.trim() || undefined;
    }
    entries.push({ key: current.key, kind: current.kind, atHours: hours, untilLocalTime: current.kind === "WAIT" ? undefined : until });
    if (current.kind !== "WAIT") until = undefined;
    const following: string | null | undefined = current.kind === "BRANCH" ? current.then : current.next;
    current = following ? byKey.get(following) : undefined;
  }
  return entries;
}

/** 30 → "30 h"; 48 → "2 days"; 36 → "1.5 days". */
export function formatHours(hours: number): string {
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}
