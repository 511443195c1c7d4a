import { describe, expect, it } from "vitest";

import { csvFileName, formatInterval, formatSigned, readInterval, stepFunnel, totalSteps } from "./intervals";

describe("formatSigned", () => {
  it("writes rate differences in percentage points with a real minus sign", () => {
    expect(formatSigned(0.031, "pp")).toBe("+3.1 pp");
    expect(formatSigned(-0.004, "pp")).toBe("\u22120.4 pp");
    expect(formatSigned(0, "pp")).toBe("0.0 pp");
  });
  it("writes ratios in percent and money with two decimals", () => {
    expect(formatSigned(0.125, "percent")).toBe("+13 %");
    expect(formatSigned(-1204.5, "money")).toBe("\u22121,204.50");
  });
});

describe("formatInterval", () => {
  it("gives the estimate and its 95 % interval", () => {
    expect(formatInterval({ estimate: 0.031, low: -0.004, high: 0.066 }, "pp")).toBe(
      "+3.1 pp (95 % CI \u22120.4 pp to +6.6 pp)",
    );
  });
  it("shows unbounded ends as infinity", () => {
    expect(formatInterval({ estimate: 0.5, low: 0.1, high: null }, "percent")).toBe("+50 % (95 % CI +10 % to +∞)");
  });
  it("says when there is no data", () => {
    expect(formatInterval({ estimate: null, low: null, high: null }, "pp")).toBe("no data yet");
    expect(formatInterval(null, "money")).toBe("no data yet");
  });
});

describe("readInterval", () => {
  it("calls an interval above zero better, below worse, across unclear", () => {
    expect(readInterval({ estimate: 0.03, low: 0.01, high: 0.05 })).toBe("better");
    expect(readInterval({ estimate: -0.03, low: -0.05, high: -0.01 })).toBe("worse");
    expect(readInterval({ estimate: 0.03, low: -0.01, high: 0.07 })).toBe("unclear");
    expect(readInterval({ estimate: 0.03, low: 0, high: 0.07 })).toBe("unclear");
    expect(readInterval({ estimate: null, low: null, high: null })).toBe("no data");
  });
});

describe("stepFunnel", () => {
  it("gives each stage as a share of the emails sent", () => {
    const funnel = stepFunnel({ sent: 200, opened: 90, clicked: 30, converted: 6 });
    expect(funnel.map((stage) => stage.label)).toEqual(["Sent", "Opened", "Clicked", "Converted"]);
    expect(funnel.map((stage) => stage.rate)).toEqual([1, 0.45, 0.15, 0.03]);
  });
  it("has no rates when nothing was sent", () => {
    expect(stepFunnel({ sent: 0, opened: 0, clicked: 0, converted: 0 }).every((stage) => stage.rate === undefined)).toBe(true);
  });
});

describe("totalSteps", () => {
  it("adds up a scenario's steps", () => {
    const total = totalSteps([
      { sent: 10, opened: 5, clicked: 2, converted: 1, revenue: 100, discountCost: 10, netRevenue: 90 },
      { sent: 4, opened: 1, clicked: 1, converted: 1, revenue: 50, discountCost: 0, netRevenue: 50 },
    ]);
    expect(total).toEqual({ sent: 14, opened: 6, clicked: 3, converted: 2, revenue: 150, discountCost: 10, netRevenue: 140 });
  });
});

it("names the CSV by its period", () => {
  expect(csvFileName("2026-09-01T00:00:00+00:00", "2026-09-30T12:00:00Z")).toBe("lifecycle-results-2026-09-01-to-2026-09-30.csv");
});
