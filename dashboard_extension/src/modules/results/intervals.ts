/**
 * How the results pages put an estimate with its 95 % interval into words and numbers.
 * Null bounds are unbounded, a null estimate means no data (see ConfidenceInterval).
 */

export interface Interval {
  estimate: number | null;
  low: number | null;
  high: number | null;
  significant?: boolean;
}

/** pp: a difference of rates (0.031 → "+3.1 pp"); percent: a ratio (0.12 → "+12 %"); money. */
export type IntervalUnit = "pp" | "percent" | "money";

const MINUS = "\u2212";

function signed(text: string, value: number): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `${MINUS}${text}`;
  return text;
}

/** One value in the unit, with its sign: +3.1 pp, −12 %, +1,204.50. */
export function formatSigned(value: number, unit: IntervalUnit): string {
  const magnitude = Math.abs(value);
  switch (unit) {
    case "pp":
      return signed(`${(magnitude * 100).toFixed(1)} pp`, value);
    case "percent":
      return signed(`${Math.round(magnitude * 100)} %`, value);
    case "money":
      return signed(
        new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(magnitude),
        value,
      );
  }
}

function bound(value: number | null, unit: IntervalUnit, side: "low" | "high"): string {
  if (value === null) return side === "low" ? `${MINUS}∞` : "+∞";
  return formatSigned(value, unit);
}

/** "+3.1 pp (95 % CI −0.4 pp to +6.6 pp)"; "no data yet" without an estimate. */
export function formatInterval(interval: Interval | null | undefined, unit: IntervalUnit): string {
  if (!interval || interval.estimate === null) return "no data yet";
  return `${formatSigned(interval.estimate, unit)} (95 % CI ${bound(interval.low, unit, "low")} to ${bound(interval.high, unit, "high")})`;
}

export type Reading = "better" | "worse" | "unclear" | "no data";

/** Better: the whole interval above zero; worse: below; unclear: it spans zero. */
export function readInterval(interval: Interval | null | undefined): Reading {
  if (!interval || interval.estimate === null) return "no data";
  if (interval.low !== null && interval.low > 0) return "better";
  if (interval.high !== null && interval.high < 0) return "worse";
  return "unclear";
}

export const READING_LABELS: Record<Reading, string> = {
  better: "works",
  worse: "hurts",
  unclear: "not sure yet",
  "no data": "no data yet",
};

export interface StepCounts {
  sent: number;
  opened: number;
  clicked: number;
  converted: number;
}

export interface FunnelStage {
  label: string;
  count: number;
  /** of those sent, 0–1; undefined when nothing was sent */
  rate: number | undefined;
}

/** sent → opened → clicked → converted, each as a share of what was sent. */
export function stepFunnel(step: StepCounts): FunnelStage[] {
  const of = (count: number) => (step.sent > 0 ? count / step.sent : undefined);
  return [
    { label: "Sent", count: step.sent, rate: step.sent > 0 ? 1 : undefined },
    { label: "Opened", count: step.opened, rate: of(step.opened) },
    { label: "Clicked", count: step.clicked, rate: of(step.clicked) },
    { label: "Converted", count: step.converted, rate: of(step.converted) },
  ];
}

/** Totals of every step of a scenario (its subtotal row). */
export function totalSteps<T extends StepCounts & { revenue: number; discountCost: number; netRevenue: number }>(steps: readonly T[]) {
  return steps.reduce(
    (sum, step) => ({
      sent: sum.sent + step.sent,
      opened: sum.opened + step.opened,
      clicked: sum.clicked + step.clicked,
      converted: sum.converted + step.converted,
      revenue: sum.revenue + step.revenue,
      discountCost: sum.discountCost + step.discountCost,
      netRevenue: sum.netRevenue + step.netRevenue,
    }),
    { sent: 0, opened: 0, clicked: 0, converted: 0, revenue: 0, discountCost: 0, netRevenue: 0 },
  );
}

/** lifecycle-results-2026-09-01-to-2026-09-30.csv */
export function csvFileName(since: string, until: string): string {
  return `lifecycle-results-${since.slice(0, 10)}-to-${until.slice(0, 10)}.csv`;
}
