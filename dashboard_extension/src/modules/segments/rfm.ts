/**
 * The RFM grid: recency (x) by frequency (y), each cell named by the same rule the app
 * uses (saleor_lifecycle/customers/recompute.py, rfm_segment); monetary value refines
 * offers, not the name.
 */

import type { RfmSegment } from "../../gql/graphql";

export function rfmSegment(recency: number, frequency: number): RfmSegment {
  if (recency >= 4 && frequency >= 4) return "CHAMPIONS";
  if (recency >= 3 && frequency >= 3 && !(recency === 3 && frequency === 3)) return "LOYAL";
  if (recency >= 4) return "PROMISING";
  if (recency === 3 && frequency === 3) return "NEED_ATTENTION";
  if (recency === 3) return "ABOUT_TO_SLEEP";
  if (frequency === 5) return "CANT_LOSE";
  if (frequency >= 3) return "AT_RISK";
  if (recency === 2) return "HIBERNATING";
  return "LOST";
}

export interface RfmCell {
  recency: number;
  frequency: number;
  segment: RfmSegment;
  /** the cell that carries the segment's name and count (its top-right-most cell) */
  anchor: boolean;
}

/** 25 cells, row by row from frequency 5 (top) to 1, recency 1 (left) to 5. */
export function rfmCells(): RfmCell[] {
  const cells: RfmCell[] = [];
  const anchored = new Set<RfmSegment>();
  for (let frequency = 5; frequency >= 1; frequency--) {
    const row: RfmCell[] = [];
    for (let recency = 5; recency >= 1; recency--) {
      const segment = rfmSegment(recency, frequency);
      const anchor = !anchored.has(segment);
      anchored.add(segment);
      row.unshift({ recency, frequency, segment, anchor });
    }
    cells.push(...row);
  }
  return cells;
}

/** Light fills readable with dark text, from "doing great" (green) to "gone" (grey). */
export const SEGMENT_COLORS: Record<RfmSegment, string> = {
  CHAMPIONS: "#b7e4c7",
  LOYAL: "#d8f3dc",
  PROMISING: "#cde7f7",
  NEED_ATTENTION: "#fff3bf",
  ABOUT_TO_SLEEP: "#ffe8cc",
  AT_RISK: "#ffd8a8",
  CANT_LOSE: "#ffc9c9",
  HIBERNATING: "#e9ecef",
  LOST: "#dee2e6",
};

/** What to do about each segment, in a sentence. */
export const SEGMENT_ADVICE: Record<RfmSegment, string> = {
  CHAMPIONS: "Recent and frequent: reward them, ask for reviews, no discounts needed.",
  LOYAL: "Buy regularly: loyalty perks and cross-sell.",
  PROMISING: "Bought recently, not often yet: help them to a second order.",
  NEED_ATTENTION: "Middling on both: a timely reminder keeps them.",
  ABOUT_TO_SLEEP: "Slipping: a retention email before they lapse.",
  AT_RISK: "Used to buy often, not lately: win them back with an offer.",
  CANT_LOSE: "Your most frequent buyers gone quiet: a personal, generous offer.",
  HIBERNATING: "Long gone and rarely bought: low-cost reactivation only.",
  LOST: "Least valuable to chase: sunset them to protect deliverability.",
};
