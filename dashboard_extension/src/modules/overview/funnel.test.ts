import { describe, expect, it } from "vitest";

import { buildFunnel, flowLabel } from "./funnel";

describe("buildFunnel", () => {
  it("orders every stage by the customer's life, with zero for stages nobody is in", () => {
    const funnel = buildFunnel([
      { stage: "LAPSED", count: 5 },
      { stage: "PROSPECT", count: 10 },
    ]);
    expect(funnel.rows.map((row) => row.stage)).toEqual(["PROSPECT", "NEW", "RETURNING", "AT_RISK", "LAPSED", "SUNSET"]);
    expect(funnel.rows.map((row) => row.count)).toEqual([10, 0, 0, 0, 5, 0]);
    expect(funnel.total).toBe(15);
  });

  it("gives shares of all customers and widths relative to the largest stage", () => {
    const funnel = buildFunnel([
      { stage: "NEW", count: 30 },
      { stage: "RETURNING", count: 10 },
    ]);
    const returning = funnel.rows.find((row) => row.stage === "RETURNING")!;
    expect(returning.share).toBeCloseTo(0.25);
    expect(returning.width).toBeCloseTo(1 / 3);
    expect(funnel.rows.find((row) => row.stage === "NEW")!.width).toBe(1);
  });

  it("counts flows in and out of each stage, ignoring stays and empty flows", () => {
    const funnel = buildFunnel(
      [{ stage: "AT_RISK", count: 4 }],
      [
        { fromStage: "RETURNING", toStage: "AT_RISK", count: 6 },
        { fromStage: "AT_RISK", toStage: "RETURNING", count: 2 },
        { fromStage: "AT_RISK", toStage: "LAPSED", count: 1 },
        { fromStage: "AT_RISK", toStage: "AT_RISK", count: 9 },
        { fromStage: null, toStage: "PROSPECT", count: 3 },
        { fromStage: "NEW", toStage: "RETURNING", count: 0 },
      ],
    );
    const atRisk = funnel.rows.find((row) => row.stage === "AT_RISK")!;
    expect([atRisk.inflow, atRisk.outflow, atRisk.net]).toEqual([6, 3, 3]);
    expect(funnel.rows.find((row) => row.stage === "PROSPECT")!.inflow).toBe(3);
    expect(funnel.moved).toBe(9); // new customers are not moves between stages
    expect(funnel.topFlows.map(flowLabel)).toEqual([
      "Returning → At risk",
      "New customer → Prospect",
      "At risk → Returning",
      "At risk → Lapsed",
    ]);
  });

  it("survives a shop with no customers", () => {
    const funnel = buildFunnel([]);
    expect(funnel.total).toBe(0);
    expect(funnel.rows.every((row) => row.share === 0 && row.width === 0)).toBe(true);
  });
});
