/** Pause or resume every email of the app to one customer. */

import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import { SetMessagesPausedDocument } from "../../gql/graphql";
import { useApp, useMutation } from "../../app/hooks";
import { formatDateTime } from "../../format/numbers";
import { Switch } from "../../ui/form";

export function PauseMessages({ customer, onChanged }: {
  customer: { id: string; messagesPaused: boolean; messagesPausedAt: string | null };
  onChanged?: () => void;
}) {
  const { session } = useApp();
  const [paused, setPaused] = useState(customer.messagesPaused);
  const [since, setSince] = useState(customer.messagesPausedAt);
  const [save, saving] = useMutation(SetMessagesPausedDocument);
  const [problem, setProblem] = useState<string>();

  const toggle = async (next: boolean) => {
    setProblem(undefined);
    const result = await save({ id: customer.id, paused: next });
    const answer = result?.customerSetMessagesPaused;
    if (!answer || answer.errors.length || !answer.customer) {
      setProblem(answer?.errors.map((error) => error.message).join(" ") || "The change was not saved.");
      return;
    }
    setPaused(answer.customer.messagesPaused);
    setSince(answer.customer.messagesPausedAt);
    session.notify("success", next ? "Emails paused for this customer" : "Emails resumed for this customer");
    onChanged?.();
  };

  return (
    <Box>
      <Switch
        label="Pause this app's emails to this customer"
        checked={paused}
        disabled={saving.running}
        onChange={(next) => void toggle(next)}
        description={
          paused
            ? `Paused${since ? ` since ${formatDateTime(since)}` : ""}: their scenarios go on, but each email that falls due is skipped. Nothing skipped is sent on resuming.`
            : "Their scenarios' emails are sent as planned. Saleor's own order emails are not affected either way."
        }
      />
      {problem || saving.error ? (
        <Text as="p" size={2} color="critical1" role="alert" display="block" marginTop={1}>
          {problem ?? saving.error?.message}
        </Text>
      ) : null}
    </Box>
  );
}
