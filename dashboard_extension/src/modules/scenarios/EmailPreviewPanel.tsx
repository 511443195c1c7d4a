/** The email a send step would send, rendered by the app with the shop's branding. */

import { Box, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import type { ScenarioOfferInput } from "../../gql/graphql";
import { EmailPreviewDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { ErrorState, Loading } from "../../ui/states";

const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "pl", label: "Polish" },
  { code: "cs", label: "Czech" },
];

/** The value after it stopped changing for `delay` ms (typing an offer re-renders once). */
function useSettled<T>(value: T, delay = 400): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, delay]);
  return settled;
}

export function EmailPreviewPanel({ template, offer, stepLabel }: {
  template: string;
  offer: ScenarioOfferInput | null;
  stepLabel: string;
}) {
  const [language, setLanguage] = useState("en");
  const [format, setFormat] = useState<"html" | "text">("html");
  const variables = useSettled({ template, language, offer });
  const preview = useQuery(EmailPreviewDocument, variables, { skip: !variables.template });
  const email = preview.data?.emailPreview;

  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-end">
        <div>
          <label className="field-label" htmlFor="preview-language">
            Language
          </label>
          <select id="preview-language" className="native-select" value={language} onChange={(event) => setLanguage(event.target.value)}>
            {LANGUAGES.map((option) => (
              <option key={option.code} value={option.code}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" aria-pressed={format === "html"} onClick={() => setFormat("html")}>
            Email
          </button>
          <button type="button" aria-pressed={format === "text"} onClick={() => setFormat("text")}>
            Plain text
          </button>
        </div>
        <Text size={2} color="default2">
          {stepLabel}, with a sample customer
        </Text>
      </Box>
      {preview.error ? <ErrorState error={preview.error} what="the preview" onRetry={preview.refetch} /> : null}
      {!email && !preview.error ? <Loading label="Rendering the email" rows={5} /> : null}
      {email ? (
        <Box aria-busy={preview.loading}>
          <div className="preview-meta">
            <div>
              <strong>Subject:</strong> <span data-testid="preview-subject">{email.subject}</span>
            </div>
            <div style={{ opacity: 0.75 }}>{email.preheader}</div>
          </div>
          {format === "html" ? (
            // No scripts run in it (the sandbox allows none), as in a mail client; same origin
            // only so the frame can be sized to the email.
            <iframe
              className="preview-frame"
              title={`Preview: ${email.subject}`}
              sandbox="allow-same-origin"
              srcDoc={email.html}
              onLoad={(event) => {
                const frame = event.currentTarget;
                const height = frame.contentDocument?.documentElement.scrollHeight;
                if (height) frame.style.height = `${Math.min(height + 4, 2400)}px`;
              }}
            />
          ) : (
            <pre className="preview-text">{email.text}</pre>
          )}
        </Box>
      ) : null}
    </Box>
  );
}
