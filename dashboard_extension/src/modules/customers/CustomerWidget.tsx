/**
 * The widget on the dashboard's customer page (CUSTOMER_DETAILS_WIDGETS). The dashboard
 * opens it with `?customerId=<Saleor user id>` and hands the token over AppBridge.
 */

import { Box, Text } from "@saleor/macaw-ui";
import { useRef } from "react";

import { CustomerCardDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { pathFor, useRouter } from "../../app/router";
import { useWidgetHeight } from "../../app/useWidgetHeight";
import { AppPageLink } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CustomerSummary } from "./CustomerSummary";

export default function CustomerWidget() {
  const root = useRef<HTMLDivElement>(null);
  useWidgetHeight(root);
  const { route } = useRouter();
  const saleorUserId = route?.query.get("customerId") ?? "";
  const card = useQuery(CustomerCardDocument, { saleorUserId }, { skip: !saleorUserId });
  const customer = card.data?.customer;

  return (
    <div ref={root} aria-label="Lifecycle" role="region">
      {!saleorUserId ? (
        <EmptyState title="No customer">This widget shows the customer whose page it is on.</EmptyState>
      ) : null}
      {card.error ? <ErrorState error={card.error} what="the customer's lifecycle" onRetry={card.refetch} /> : null}
      {card.loading && !card.data ? <Loading label="Loading the customer's lifecycle" rows={4} /> : null}
      {card.data && !customer ? (
        <EmptyState title="Not seen by Lifecycle yet">
          The app learns about a customer from their registration, orders and checkouts. Once Saleor sends one of those,
          their stage shows here.
        </EmptyState>
      ) : null}
      {customer ? (
        <Box display="flex" flexDirection="column" gap={3}>
          <CustomerSummary customer={customer} compact />
          <Text size={2}>
            <AppPageLink to={pathFor("customer", { id: customer.id })}>Open in Lifecycle</AppPageLink>
          </Text>
        </Box>
      ) : null}
    </div>
  );
}
