import { describe, expect, it } from "vitest";

import type { ScenarioStepFieldsFragment } from "../../gql/graphql";
import { checkStep, formatHours, locateProblem, stepChanges, timeline, toDraft } from "./steps";

const step = (overrides: Partial<ScenarioStepFieldsFragment>): ScenarioStepFieldsFragment => ({
  key: "step",
  kind: "WAIT",
  next: null,
  delayHours: null,
  untilLocalTime: null,
  template: null,
  offer: null,
  marketing: true,
  condition: null,
  then: null,
  otherwise: null,
  ...overrides,
});

const cart = [
  step({ key: "wait_1", kind: "WAIT", delayHours: 24, next: "reminder" }),
  step({ key: "reminder", kind: "SEND", template: "cart_reminder", next: "wait_2" }),
  step({ key: "wait_2", kind: "WAIT", delayHours: 24, untilLocalTime: "10:00", next: "last_chance" }),
  step({
    key: "last_chance",
    kind: "SEND",
    template: "cart_last_chance",
    offer: { kind: "PERCENTAGE", value: 10, validDays: 3, minOrderValue: null },
  }),
];

describe("checkStep", () => {
  it("accepts the built-in cart reminders", () => {
    expect(cart.map((s) => checkStep(toDraft(s)))).toEqual([{}, {}, {}, {}]);
  });

  it("wants a wait to last: a positive duration within two years, or a time of day", () => {
    const wait = toDraft(cart[0]);
    expect(checkStep({ ...wait, delayHours: "0" })).toEqual({ delayHours: "Must be more than 0." });
    expect(checkStep({ ...wait, delayHours: "20000" })).toEqual({ delayHours: "Must be at most 17520." });
    expect(checkStep({ ...wait, delayHours: "" })).toEqual({ delayHours: "A wait needs a duration, a time of day, or both." });
    expect(checkStep({ ...wait, delayHours: "", untilLocalTime: "10:00" })).toEqual({});
    expect(checkStep({ ...wait, untilLocalTime: "25:00" })).toEqual({ untilLocalTime: "Use 24-hour time, e.g. 21:00." });
  });

  it("checks offers like the scenario definitions do", () => {
    const send = toDraft(cart[3]);
    expect(checkStep({ ...send, offerValue: "120" })).toEqual({ offerValue: "Must be at most 100." });
    expect(checkStep({ ...send, offerKind: "FIXED_AMOUNT", offerValue: "0" })).toEqual({ offerValue: "Must be more than 0." });
    expect(checkStep({ ...send, offerKind: "FREE_SHIPPING", offerValue: "" })).toEqual({});
    expect(checkStep({ ...send, offerValidDays: "400" })).toEqual({ offerValidDays: "Must be at most 365." });
    expect(checkStep({ ...send, offerKind: "", offerValue: "abc" })).toEqual({});
    expect(checkStep({ ...send, template: "" })).toEqual({ template: "Choose the email to send." });
  });
});

describe("stepChanges", () => {
  const original = cart.map(toDraft);

  it("sends only the steps and fields that changed", () => {
    const drafts = original.map((d) => (d.key === "wait_1" ? { ...d, delayHours: "12" } : d));
    expect(stepChanges(original, drafts)).toEqual([{ key: "wait_1", delayHours: 12 }]);
    expect(stepChanges(original, original)).toEqual([]);
  });

  it("clears a time of day with null and removes an offer with null", () => {
    const drafts = original.map((d) =>
      d.key === "wait_2" ? { ...d, untilLocalTime: "" } : d.key === "last_chance" ? { ...d, offerKind: "" as const } : d,
    );
    expect(stepChanges(original, drafts)).toEqual([
      { key: "wait_2", untilLocalTime: null },
      { key: "last_chance", offer: null },
    ]);
  });

  it("sends a whole offer when any of it changed", () => {
    const drafts = original.map((d) => (d.key === "last_chance" ? { ...d, offerValue: "15" } : d));
    expect(stepChanges(original, drafts)).toEqual([
      { key: "last_chance", offer: { kind: "PERCENTAGE", value: 15, validDays: 3, minOrderValue: null } },
    ]);
  });

  it("does not count 24 and 24.0 as a change", () => {
    const drafts = original.map((d) => (d.key === "wait_1" ? { ...d, delayHours: "24.0" } : d));
    expect(stepChanges(original, drafts)).toEqual([]);
  });
});

describe("locateProblem", () => {
  it("finds the step an API error names by its place in the patch", () => {
    const patch = [{ key: "wait_1" }, { key: "wait_2", delayHours: -1 }];
    expect(locateProblem("steps[1].delayHours", patch)).toEqual({ step: "wait_2", field: "delayHours" });
    expect(locateProblem("holdoutShare", patch)).toEqual({});
  });
});

describe("timeline", () => {
  it("adds up the waits before each step", () => {
    const drafts = cart.map((s) => ({ ...toDraft(s), next: s.next, then: s.then }));
    expect(timeline(drafts)).toEqual([
      { key: "wait_1", kind: "WAIT", atHours: 24, untilLocalTime: undefined },
      { key: "reminder", kind: "SEND", atHours: 24, untilLocalTime: undefined },
      { key: "wait_2", kind: "WAIT", atHours: 48, untilLocalTime: undefined },
      { key: "last_chance", kind: "SEND", atHours: 48, untilLocalTime: "10:00" },
    ]);
  });

  it("follows `then` at a branch and stops at a loop", () => {
    const steps = [
      { key: "a", kind: "BRANCH" as const, delayHours: "", untilLocalTime: "", then: "b", next: null },
      { key: "b", kind: "WAIT" as const, delayHours: "5", untilLocalTime: "", next: "a" },
    ];
    expect(timeline(steps).map((entry) => entry.key)).toEqual(["a", "b"]);
  });
});

it("formats durations in hours, then days", () => {
  expect(formatHours(30)).toBe("30 h");
  expect(formatHours(72)).toBe("3 days");
  expect(formatHours(36 * 2)).toBe("3 days");
  expect(formatHours(84)).toBe("3.5 days");
});
