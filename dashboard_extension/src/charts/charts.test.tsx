import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { buildFunnel } from "../modules/overview/funnel";
import { IntervalPlot } from "./IntervalPlot";
import { niceDomain, tickStep } from "./scale";
import { StageFunnel } from "./StageFunnel";

describe("scale", () => {
  it("picks round tick steps", () => {
    expect(tickStep(0, 1, 5)).toBe(0.2);
    expect(tickStep(-0.166, 0.441, 4)).toBe(0.2);
    expect(tickStep(0, 970, 5)).toBe(200);
  });
  it("widens a domain to whole steps and keeps zero a tick", () => {
    expect(niceDomain(-0.166, 0.441, 4)).toEqual({ domain: [-0.2, 0.6], ticks: [-0.2, 0, 0.2, 0.4, 0.6] });
    expect(niceDomain(0, 0).domain).toEqual([-1, 1]);
  });
});

describe("IntervalPlot", () => {
  it("names itself and says which rows have no data yet", () => {
    const html = renderToStaticMarkup(
      <IntervalPlot
        title="Conversion uplift"
        format={(value) => value.toFixed(1)}
        rows={[
          { label: "Cart", estimate: 0.1, low: -0.05, high: 0.25 },
          { label: "Welcome", estimate: null, low: null, high: null },
        ]}
      />,
    );
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Conversion uplift"');
    expect(html).toContain("not enough data yet");
    expect(html.match(/<circle/g)).toHaveLength(1);
  });
});

describe("StageFunnel", () => {
  it("reads out every stage's count in its label", () => {
    const funnel = buildFunnel([
      { stage: "RETURNING", count: 100 },
      { stage: "LAPSED", count: 1 },
    ]);
    const html = renderToStaticMarkup(<StageFunnel rows={funnel.rows} days={30} />);
    expect(html).toContain("Returning: 100");
    expect(html).toContain("Lapsed: 1");
    // a short bar puts its count beside it, in the text colour, not on the bar
    expect(html.match(/class="on-bar"/g)).toHaveLength(1);
  });
});
