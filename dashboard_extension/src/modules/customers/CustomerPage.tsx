import { Box, Button } from "@saleor/macaw-ui";

import { CustomerCardDocument, CustomerExplainDocument } from "../../gql/graphql";
import { useApp, useQuery } from "../../app/hooks";
import { pathFor, useRouter } from "../../app/router";
import { PageHeader, Section } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CustomerActivity } from "./CustomerActivity";
import { CustomerExplain } from "./CustomerExplain";
import { CustomerSummary } from "./CustomerSummary";
import { customerName } from "./CustomerTable";
import { PauseMessages } from "./PauseMessages";

export default function CustomerPage() {
  const { route } = useRouter();
  const { session } = useApp();
  const id = route?.params.id ?? "";
  const card = useQuery(CustomerCardDocument, { id });
  const explained = useQuery(CustomerExplainDocument, { id });
  const customer = card.data?.customer;

  if (card.error) return <ErrorState error={card.error} what="the customer" onRetry={card.refetch} />;
  if (card.loading && !card.data) return <Loading label="Loading the customer" rows={6} />;
  if (!customer) {
    return (
      <EmptyState title="No such customer" action={<Link to={pathFor("customers")}>All customers</Link>}>
        The customer may have been erased (GDPR) or the link is from another shop.
      </EmptyState>
    );
  }
  return (
    <>
      <PageHeader
        title={customerName(customer)}
        description={customer.email}
        actions={
          session.kind === "dashboard" && customer.saleorUserId ? (
            <Button variant="secondary" onClick={() => session.openInDashboard(`/customers/${customer.saleorUserId}`)}>
              Open in Saleor
            </Button>
          ) : undefined
        }
      />
      <div className="two-columns">
        <Box>
          <Section id="summary" title="Lifecycle">
            <CustomerSummary customer={customer} />
            <Box marginTop={4}>
              <PauseMessages customer={customer} onChanged={card.refetch} />
            </Box>
          </Section>
          <Section id="activity" title="Scenarios and emails">
            <CustomerActivity id={customer.id} />
          </Section>
        </Box>
        <Section id="explain" title="Explanation">
          {explained.error ? <ErrorState error={explained.error} what="the explanation" onRetry={explained.refetch} /> : null}
          {explained.data?.customer ? <CustomerExplain customer={explained.data.customer} /> : <Loading label="Loading the explanation" />}
        </Section>
      </div>
      <Box marginTop={2}>
        <Link to={pathFor("customers")}>← All customers</Link>
      </Box>
    </>
  );
}
