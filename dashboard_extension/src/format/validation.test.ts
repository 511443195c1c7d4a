import { describe, expect, it } from "vitest";

import { clockTime, emailAddress, hexColor, httpUrl, numberBetween, parseNumber, parseOrigins, validate } from "./validation";

describe("numberBetween", () => {
  const days = numberBetween(1, 3650);
  it("accepts numbers in range, with a decimal comma too", () => {
    expect(days("30")).toBeUndefined();
    expect(days("12,5")).toBeUndefined();
    expect(parseNumber("12,5")).toBe(12.5);
  });
  it("refuses what the API refuses", () => {
    expect(days("0")).toBe("Must be between 1 and 3650.");
    expect(days("abc")).toBe("Enter a number.");
    expect(days("")).toBe("Required.");
    expect(numberBetween(1, 10, { integer: true })("2.5")).toBe("Enter a whole number.");
  });
  it("lets optional fields be empty", () => {
    expect(numberBetween(1, 10, { optional: true })("  ")).toBeUndefined();
    expect(parseNumber(" ")).toBeNull();
  });
});

describe("field checks", () => {
  it("knows a sender address, with or without a name", () => {
    expect(emailAddress("shop@example.com")).toBeUndefined();
    expect(emailAddress("Shop <shop@example.com>")).toBeUndefined();
    expect(emailAddress("shop@")).toMatch(/email address/);
  });
  it("wants full http(s) URLs", () => {
    expect(httpUrl("https://shop.example.com")).toBeUndefined();
    expect(httpUrl("shop.example.com")).toMatch(/full address/);
    expect(httpUrl("ftp://shop.example.com")).toMatch(/http/);
  });
  it("checks colours and clock times", () => {
    expect(hexColor("#4f46e5")).toBeUndefined();
    expect(hexColor("blue")).toBeDefined();
    expect(clockTime("21:00")).toBeUndefined();
    expect(clockTime("24:00")).toBeDefined();
  });
});

describe("parseOrigins", () => {
  it("takes one origin a line, dropping blanks, trailing slashes and repeats", () => {
    expect(parseOrigins("https://a.example.com/\n\nhttps://a.example.com\nhttp://localhost:3000")).toEqual({
      origins: ["https://a.example.com", "http://localhost:3000"],
      problem: undefined,
    });
  });
  it("refuses paths", () => {
    expect(parseOrigins("https://a.example.com/shop").problem).toMatch(/only the origin/);
  });
});

describe("validate", () => {
  it("reports the first failing check of each field", () => {
    const errors = validate(
      { days: "", color: "red", email: "ok@example.com" },
      { days: [numberBetween(1, 5)], color: [hexColor], email: [emailAddress] },
    );
    expect(errors).toEqual({ days: "Required.", color: "Use a colour like #4f46e5." });
  });
});
