/** A form's draft of string values, reset when the saved values change. */

import { useEffect, useState } from "react";

export function useDraft<V extends Record<string, string>>(saved: V | undefined) {
  const [draft, setDraft] = useState<V | undefined>(saved);
  const key = JSON.stringify(saved);
  useEffect(() => setDraft(saved), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = Boolean(saved && draft && JSON.stringify(saved) !== JSON.stringify(draft));
  const set = (field: keyof V) => (value: string) => setDraft((current) => (current ? { ...current, [field]: value } : current));
  /** only the fields that differ from what is saved */
  const changed = (): Partial<V> =>
    saved && draft ? (Object.fromEntries(Object.entries(draft).filter(([field, value]) => saved[field] !== value)) as Partial<V>) : {};
  return { draft, setDraft, dirty, set, changed, reset: () => setDraft(saved) };
}

/** API errors (field camelCased, or null for the whole input) → field → message. */
export function errorsByField(errors: readonly { field: string | null; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of errors) out[error.field ?? "_"] = out[error.field ?? "_"] ? `${out[error.field ?? "_"]} ${error.message}` : error.message;
  return out;
}
