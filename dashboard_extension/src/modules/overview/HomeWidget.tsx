/** The dashboard home page's widget (HOMEPAGE_WIDGETS): who needs attention now. */

import { Box, Text } from "@saleor/macaw-ui";
import { useRef } from "react";

import { OverviewStagesDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { pathFor } from "../../app/router";
import { useWidgetHeight } from "../../app/useWidgetHeight";
import { formatCount } from "../../format/numbers";
import { AppPageLink } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { buildFunnel } from "./funnel";

export default function HomeWidget() {
  const root = useRef<HTMLDivElement>(null);
  useWidgetHeight(root);
  const stages = useQuery(OverviewStagesDocument, {});
  const funnel = stages.data ? buildFunnel(stages.data.stageCounts) : undefined;
  const count = (stage: string) => funnel?.rows.find((row) => row.stage === stage)?.count ?? 0;

  return (
    <div ref={root} role="region" aria-label="Lifecycle">
      {stages.error ? <ErrorState error={stages.error} what="customers per stage" onRetry={stages.refetch} /> : null}
      {stages.loading && !funnel ? <Loading label="Loading customers per stage" /> : null}
      {funnel && funnel.total === 0 ? (
        <EmptyState title="No customers yet">The app fills in your customers right after installation.</EmptyState>
      ) : null}
      {funnel && funnel.total > 0 ? (
        <Box display="flex" flexDirection="column" gap={2}>
          <Text size={4}>
            <strong>{formatCount(count("AT_RISK"))}</strong> at risk · <strong>{formatCount(count("LAPSED"))}</strong> lapsed ·{" "}
            <strong>{formatCount(count("RETURNING"))}</strong> returning of {formatCount(funnel.total)} customers
          </Text>
          <Text size={2}>
            <AppPageLink to={pathFor("overview")}>Open Lifecycle</AppPageLink>
          </Text>
        </Box>
      ) : null}
    </div>
  );
}
