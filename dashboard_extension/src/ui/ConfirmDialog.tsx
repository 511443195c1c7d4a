/** A modal question (native <dialog>: focus moves in, Escape cancels, focus returns). */

import { Box, Button, Text } from "@saleor/macaw-ui";
import { type ReactNode, useEffect, useId, useRef } from "react";

export function ConfirmDialog({ open, title, children, confirmLabel, busy, onConfirm, onCancel }: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {open ? (
        <Box padding={6} display="flex" flexDirection="column" gap={4}>
          <Text as="h2" id={titleId} size={7} fontWeight="bold">
            {title}
          </Text>
          <Box>{children}</Box>
          <Box display="flex" gap={2} justifyContent="flex-end">
            <Button variant="secondary" onClick={onCancel} disabled={busy}>
              Cancel
            </Button>
            <Button variant="primary" onClick={onConfirm} disabled={busy}>
              {busy ? "Working…" : confirmLabel}
            </Button>
          </Box>
        </Box>
      ) : null}
    </dialog>
  );
}
