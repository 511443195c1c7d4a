import { describe, expect, it } from "vitest";

import { rfmCells, rfmSegment } from "./rfm";

// The named segment of every (R, F) cell, as saleor_lifecycle/customers/recompute.py names it:
// rows are frequency 5 → 1, columns recency 1 → 5.
const EXPECTED = [
  ["CANT_LOSE", "CANT_LOSE", "LOYAL", "CHAMPIONS", "CHAMPIONS"],
  ["AT_RISK", "AT_RISK", "LOYAL", "CHAMPIONS", "CHAMPIONS"],
  ["AT_RISK", "AT_RISK", "NEED_ATTENTION", "LOYAL", "LOYAL"],
  ["LOST", "HIBERNATING", "ABOUT_TO_SLEEP", "PROMISING", "PROMISING"],
  ["LOST", "HIBERNATING", "ABOUT_TO_SLEEP", "PROMISING", "PROMISING"],
];

describe("rfmSegment", () => {
  it("names all 25 cells like the app's rule", () => {
    const actual = [5, 4, 3, 2, 1].map((frequency) => [1, 2, 3, 4, 5].map((recency) => rfmSegment(recency, frequency)));
    expect(actual).toEqual(EXPECTED);
  });
});

describe("rfmCells", () => {
  it("lays the grid out row by row from the most frequent buyers", () => {
    const cells = rfmCells();
    expect(cells).toHaveLength(25);
    expect(cells[0]).toMatchObject({ recency: 1, frequency: 5 });
    expect(cells[24]).toMatchObject({ recency: 5, frequency: 1 });
  });

  it("anchors each segment's label once, in its top-right cell", () => {
    const anchors = rfmCells().filter((cell) => cell.anchor);
    expect(anchors).toHaveLength(9);
    expect(anchors.find((cell) => cell.segment === "CHAMPIONS")).toMatchObject({ recency: 5, frequency: 5 });
    expect(anchors.find((cell) => cell.segment === "LOYAL")).toMatchObject({ recency: 3, frequency: 5 });
  });
});
