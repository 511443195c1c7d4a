/**
 * The "more actions" popup on the dashboard's customer page
 * (CUSTOMER_DETAILS_MORE_ACTIONS): why the customer is where they are, and a switch to
 * pause the app's emails to them.
 */

import { Box, Button, Text } from "@saleor/macaw-ui";
import { actions } from "@saleor/app-sdk/app-bridge";

import { CustomerExplainDocument } from "../../gql/graphql";
import { useApp, useQuery } from "../../app/hooks";
import { useRouter } from "../../app/router";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CustomerExplain } from "./CustomerExplain";
import { PauseMessages } from "./PauseMessages";
import { customerName } from "./CustomerTable";

export default function CustomerActions() {
  const { route } = useRouter();
  const { session } = useApp();
  const saleorUserId = route?.query.get("customerId") ?? "";
  const explained = useQuery(CustomerExplainDocument, { saleorUserId }, { skip: !saleorUserId });
  const customer = explained.data?.customer;
  const close = () => void session.appBridge?.dispatch(actions.PopupClose());

  return (
    <Box display="flex" flexDirection="column" gap={4} padding={2}>
      <Box display="flex" justifyContent="space-between" alignItems="center">
        <Text as="h1" size={7} fontWeight="bold">
          Lifecycle{customer ? `: ${customerName(customer)}` : ""}
        </Text>
        {session.kind === "dashboard" ? (
          <Button variant="secondary" onClick={close}>
            Close
          </Button>
        ) : null}
      </Box>
      {!saleorUserId ? <EmptyState title="No customer">Open this from a customer's page in the dashboard.</EmptyState> : null}
      {explained.error ? <ErrorState error={explained.error} what="the explanation" onRetry={explained.refetch} /> : null}
      {explained.loading && !explained.data ? <Loading label="Loading the explanation" rows={6} /> : null}
      {explained.data && !customer ? (
        <EmptyState title="Not seen by Lifecycle yet">
          The app has no orders, checkouts or registration for this customer yet, so there is nothing to explain.
        </EmptyState>
      ) : null}
      {customer ? (
        <>
          <Box padding={4} borderRadius={3} borderStyle="solid" borderWidth={1} borderColor="default1">
            <PauseMessages customer={customer} onChanged={() => void session.appBridge?.dispatch(actions.RefreshEntity())} />
          </Box>
          <CustomerExplain customer={customer} />
        </>
      ) : null}
    </Box>
  );
}
