/** The shop's words for the API's enums (the same labels the Django admin shows). */

import type { LifecycleStage, RfmSegment } from "../gql/graphql";

/** Stages in the order a customer's life runs through them. */
export const STAGES: readonly LifecycleStage[] = ["PROSPECT", "NEW", "RETURNING", "AT_RISK", "LAPSED", "SUNSET"];

export const STAGE_LABELS: Record<LifecycleStage, string> = {
  PROSPECT: "Prospect",
  NEW: "First purchase",
  RETURNING: "Returning",
  AT_RISK: "At risk",
  LAPSED: "Lapsed",
  SUNSET: "Sunset",
};

export const STAGE_HINTS: Record<LifecycleStage, string> = {
  PROSPECT: "registered, never ordered",
  NEW: "exactly one order, recent",
  RETURNING: "ordered again",
  AT_RISK: "later than their usual reorder",
  LAPSED: "long past their reorder",
  SUNSET: "unsubscribed or gone for good",
};

export const SEGMENTS: readonly RfmSegment[] = [
  "CHAMPIONS",
  "LOYAL",
  "PROMISING",
  "NEED_ATTENTION",
  "ABOUT_TO_SLEEP",
  "AT_RISK",
  "CANT_LOSE",
  "HIBERNATING",
  "LOST",
];

export const SEGMENT_LABELS: Record<RfmSegment, string> = {
  CHAMPIONS: "Champions",
  LOYAL: "Loyal",
  PROMISING: "Promising",
  NEED_ATTENTION: "Need attention",
  ABOUT_TO_SLEEP: "About to sleep",
  AT_RISK: "At risk",
  CANT_LOSE: "Can't lose them",
  HIBERNATING: "Hibernating",
  LOST: "Lost",
};

/** "abandoned_cart" → "Abandoned cart" (for keys the API has no label for). */
export function humanize(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}
