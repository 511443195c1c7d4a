/**
 * Form checks run before anything is sent, mirroring what the API refuses (it checks
 * again and its messages win). Each returns an error message or undefined.
 */

export type Check = (value: string) => string | undefined;

/** A number within [low, high]; empty is allowed only when `optional`. */
export function numberBetween(low: number, high: number, { optional = false, integer = false } = {}): Check {
  return (raw) => {
    const value = raw.trim();
    if (!value) return optional ? undefined : "Required.";
    const number = Number(value.replace(",", "."));
    if (!Number.isFinite(number)) return "Enter a number.";
    if (integer && !Number.isInteger(number)) return "Enter a whole number.";
    if (number < low || number > high) return `Must be between ${low} and ${high}.`;
    return undefined;
  };
}

/** "12,5" and "12.5" → 12.5; empty → null. */
export function parseNumber(raw: string): number | null {
  const value = raw.trim();
  return value ? Number(value.replace(",", ".")) : null;
}

export const emailAddress: Check = (raw) => {
  const value = raw.trim();
  if (!value) return undefined;
  // "Shop <shop@example.com>" is a valid sender too
  const address = /<([^>]+)>\s*$/.exec(value)?.[1] ?? value;
  return /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(address) ? undefined : "Enter an email address, e.g. shop@example.com.";
};

export const httpUrl: Check = (raw) => {
  const value = raw.trim();
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? undefined : "Use an http(s) address.";
  } catch {
    return "Enter a full address, e.g. https://shop.example.com.";
  }
};

export const hexColor: Check = (raw) =>
  /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(raw.trim()) ? undefined : "Use a colour like #4f46e5.";

export const clockTime: Check = (raw) =>
  /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(raw.trim()) ? undefined : "Use 24-hour time, e.g. 21:00.";

export const required: Check = (raw) => (raw.trim() ? undefined : "Required.");

/** An origin a browser sends: scheme and host (and port), nothing else. */
export function originProblem(raw: string): string | undefined {
  const value = raw.trim();
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return `${value}: use http(s).`;
    if (url.pathname !== "/" || url.search || url.hash || value.replace(/\/$/, "") !== url.origin) {
      return `${value}: only the origin, e.g. https://shop.example.com (no path).`;
    }
    return undefined;
  } catch {
    return `${value}: not an address.`;
  }
}

/** One origin a line; blank lines are ignored. */
export function parseOrigins(text: string): { origins: string[]; problem: string | undefined } {
  const origins = text
    .split(/\s*[\n,]\s*/)
    .map((line) => line.trim())
    .filter(Boolean);
  const problem = origins.map(originProblem).find(Boolean);
  return { origins: [...new Set(origins.map((origin) => origin.replace(/\/$/, "")))], problem };
}

/** Run `checks` over `values`; the result maps each failing field to its message. */
export function validate<K extends string>(values: Record<K, string>, checks: Partial<Record<K, Check[]>>): Partial<Record<K, string>> {
  const errors: Partial<Record<K, string>> = {};
  for (const field of Object.keys(checks) as K[]) {
    for (const check of checks[field] ?? []) {
      const problem = check(values[field] ?? "");
      if (problem) {
        errors[field] = problem;
        break;
      }
    }
  }
  return errors;
}
