/** Loading, empty and error states: each says what is happening and what to do next. */

import { Box, Button, Skeleton, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import type { ApiError } from "../app/graphql";
import { useApp } from "../app/hooks";

export function Loading({ label, rows = 3 }: { label: string; rows?: number }) {
  return (
    <Box role="status" aria-live="polite" aria-busy="true" display="flex" flexDirection="column" gap={2} paddingY={2}>
      <span className="visually-hidden">{label}</span>
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} __height="20px" __width={`${90 - index * 15}%`} />
      ))}
    </Box>
  );
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Box className="empty-state" padding={6} borderRadius={3} borderStyle="solid" borderWidth={1} borderColor="default1">
      <Text as="h3" size={5} fontWeight="bold" display="block" marginBottom={2}>
        {title}
      </Text>
      <Text as="p" size={3} color="default2" display="block">
        {children}
      </Text>
      {action ? <Box marginTop={4}>{action}</Box> : null}
    </Box>
  );
}

function advice(error: ApiError, standalone: boolean): string {
  switch (error.kind) {
    case "unauthenticated":
      return standalone
        ? "Run `make demo` again and open the new link it prints: demo links are valid for a limited time."
        : "Reload the page in the Saleor dashboard to get a fresh session.";
    case "forbidden":
      return "Your Saleor account needs the Manage customers permission (MANAGE_USERS) for this page. Ask a shop admin to grant it.";
    case "network":
      return "Check that the app is running, then try again.";
    default:
      return "Try again; if it keeps failing, the app's logs say why.";
  }
}

export function ErrorState({ error, onRetry, what }: { error: ApiError; onRetry?: () => void; what: string }) {
  const { session } = useApp();
  return (
    <Box
      role="alert"
      padding={5}
      borderRadius={3}
      borderStyle="solid"
      borderWidth={1}
      borderColor="critical1"
      backgroundColor="critical2"
    >
      <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={1}>
        Could not load {what}
      </Text>
      <Text as="p" size={3} display="block">
        {error.message}
      </Text>
      <Text as="p" size={3} color="default2" display="block" marginTop={1}>
        {advice(error, session.kind === "standalone")}
      </Text>
      {onRetry && error.kind !== "unauthenticated" && error.kind !== "forbidden" ? (
        <Button variant="secondary" marginTop={3} onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </Box>
  );
}
