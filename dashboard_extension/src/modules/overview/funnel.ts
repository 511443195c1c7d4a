/**
 * The overview's funnel: customers per stage, in life order, with each stage's flows in
 * and out over the last days (from stageFlows). Pure, so it is tested without a browser.
 */

import type { LifecycleStage } from "../../gql/graphql";
import { STAGE_LABELS, STAGES } from "../../format/labels";

export interface StageCountLike {
  stage: LifecycleStage;
  count: number;
}

export interface FlowLike {
  /** null: the customer's first stage (a new customer) */
  fromStage: LifecycleStage | null;
  toStage: LifecycleStage;
  count: number;
}

export interface FunnelRow {
  stage: LifecycleStage;
  label: string;
  count: number;
  /** of all customers, 0–1 */
  share: number;
  /** bar length relative to the largest stage, 0–1 */
  width: number;
  /** customers who entered this stage in the window (including brand-new customers) */
  inflow: number;
  /** customers who left it in the window */
  outflow: number;
  net: number;
}

export interface Funnel {
  rows: FunnelRow[];
  total: number;
  /** the largest movements between two different stages, largest first */
  topFlows: FlowLike[];
  /** customers who moved between stages in the window */
  moved: number;
}

export function buildFunnel(counts: readonly StageCountLike[], flows: readonly FlowLike[] = [], topLimit = 6): Funnel {
  const byStage = new Map<LifecycleStage, number>();
  for (const { stage, count } of counts) byStage.set(stage, (byStage.get(stage) ?? 0) + Math.max(0, count));
  const total = [...byStage.values()].reduce((sum, count) => sum + count, 0);
  const largest = Math.max(0, ...byStage.values());

  const moves = flows.filter((flow) => flow.count > 0 && flow.fromStage !== flow.toStage);
  const rows = STAGES.map((stage) => {
    const count = byStage.get(stage) ?? 0;
    const inflow = moves.filter((flow) => flow.toStage === stage).reduce((sum, flow) => sum + flow.count, 0);
    const outflow = moves.filter((flow) => flow.fromStage === stage).reduce((sum, flow) => sum + flow.count, 0);
    return {
      stage,
      label: STAGE_LABELS[stage],
      count,
      share: total > 0 ? count / total : 0,
      width: largest > 0 ? count / largest : 0,
      inflow,
      outflow,
      net: inflow - outflow,
    };
  });
  const topFlows = [...moves].sort((a, b) => b.count - a.count).slice(0, topLimit);
  const moved = moves.filter((flow) => flow.fromStage !== null).reduce((sum, flow) => sum + flow.count, 0);
  return { rows, total, topFlows, moved };
}

/** "At risk → Returning" for a flow; a null origin is a new customer. */
export function flowLabel(flow: FlowLike): string {
  const from = flow.fromStage ? STAGE_LABELS[flow.fromStage] : "New customer";
  return `${from} → ${STAGE_LABELS[flow.toStage]}`;
}
