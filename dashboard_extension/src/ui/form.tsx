/** Form pieces: a labelled input with its error, a switch, and the save bar. */

import { Box, Button, Input, Text } from "@saleor/macaw-ui";
import { useId, type ReactNode } from "react";

export function Field({ label, value, onChange, error, help, type = "text", inputMode, placeholder, name }: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  help?: ReactNode;
  type?: "text" | "email" | "url" | "number" | "time";
  inputMode?: "decimal" | "numeric" | "email" | "url" | "text";
  placeholder?: string;
  name?: string;
}) {
  const id = useId();
  return (
    <Box>
      <Input
        id={id}
        name={name}
        label={label}
        value={value}
        type={type === "number" ? "text" : type}
        inputMode={inputMode ?? (type === "number" ? "decimal" : undefined)}
        placeholder={placeholder}
        error={Boolean(error)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : help ? `${id}-help` : undefined}
        helperText={help && !error ? <span id={`${id}-help`}>{help}</span> : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {error ? (
        <div className="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </Box>
  );
}

export function Switch({ label, checked, onChange, description, disabled, accessibleName }: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: ReactNode;
  disabled?: boolean;
  /** when the visible label is not enough to say what it switches */
  accessibleName?: string;
}) {
  const id = useId();
  return (
    <Box>
      <label className="toggle" htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          role="switch"
          checked={checked}
          disabled={disabled}
          aria-checked={checked}
          aria-label={accessibleName}
          aria-describedby={description ? `${id}-description` : undefined}
          onChange={(event) => onChange(event.target.checked)}
        />
        <span>{label}</span>
      </label>
      {description ? (
        <Text as="p" size={2} color="default2" display="block" marginTop={1} id={`${id}-description`}>
          {description}
        </Text>
      ) : null}
    </Box>
  );
}

export function SaveBar({ saving, dirty, message, error, label = "Save", onReset }: {
  saving: boolean;
  dirty: boolean;
  message?: string;
  error?: string;
  label?: string;
  onReset?: () => void;
}) {
  return (
    <Box display="flex" alignItems="center" gap={3} marginTop={4} flexWrap="wrap">
      <Button type="submit" variant="primary" disabled={saving || !dirty}>
        {saving ? "Saving…" : label}
      </Button>
      {onReset && dirty && !saving ? (
        <Button type="button" variant="tertiary" onClick={onReset}>
          Discard changes
        </Button>
      ) : null}
      <Box aria-live="polite">
        {error ? (
          <Text size={2} color="critical1" role="alert">
            {error}
          </Text>
        ) : message ? (
          <Text size={2} color="success1">
            {message}
          </Text>
        ) : null}
      </Box>
    </Box>
  );
}
