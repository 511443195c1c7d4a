import { Box, Text } from "@saleor/macaw-ui";

import { ScenarioListDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { pathFor } from "../../app/router";
import { formatCount, formatShare } from "../../format/numbers";
import { PageHeader } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { describeTrigger, sendsSummary } from "./describe";
import { ScenarioSwitch } from "./ScenarioSwitch";

export default function ScenariosPage() {
  const list = useQuery(ScenarioListDocument, {});
  const scenarios = [...(list.data?.scenarios ?? [])].sort((a, b) => Number(b.enabled) - Number(a.enabled) || b.priority - a.priority);
  const enabled = scenarios.filter((scenario) => scenario.enabled).length;

  return (
    <>
      <PageHeader
        title="Scenarios"
        description="Email series that start on their own when a customer's life with the shop changes. Each ships turned off: look at who it would reach, adjust its timing and offers, then turn it on."
      />
      {list.error ? <ErrorState error={list.error} what="the scenarios" onRetry={list.refetch} /> : null}
      {list.loading && !list.data ? <Loading label="Loading the scenarios" rows={6} /> : null}
      {list.data && scenarios.length === 0 ? (
        <EmptyState title="No scenarios">
          The built-in scenarios are created when the app is installed. Reinstall the app, or run{" "}
          <code>python manage.py scenarios list</code> on the server to see what went wrong.
        </EmptyState>
      ) : null}
      {list.data && scenarios.length > 0 && enabled === 0 ? (
        <Box marginBottom={4}>
          <EmptyState title="All scenarios are off">
            Nothing is sent yet. A good first one is <strong>Abandoned cart</strong>: it reminds customers of what they left
            and usually pays for itself first. Open it to check the timing, then switch it on.
          </EmptyState>
        </Box>
      ) : null}
      <ul className="scenario-list" aria-label="Scenarios">
        {scenarios.map((scenario) => (
          <li key={scenario.key} className="scenario-card" data-testid={`scenario-${scenario.key}`}>
            <Box display="flex" flexDirection="column" gap={1}>
              <h3>
                <Link to={pathFor("scenario", { key: scenario.key })}>{scenario.name}</Link>
              </h3>
              <Text size={3}>
                {describeTrigger(scenario.trigger)}: {sendsSummary(scenario)}.
              </Text>
              <div className="scenario-card__meta">
                <span>{formatCount(scenario.activeEnrollments)} on their way now</span>
                <span>holdout {formatShare(scenario.holdoutShare, 0)}</span>
                <span>
                  next {scenario.dryRun.days} days: ~{formatCount(scenario.dryRun.expectedEntries)} would enter
                </span>
                <span>version {scenario.version}</span>
              </div>
            </Box>
            <Box display="flex" alignItems="center">
              <ScenarioSwitch scenario={scenario} onChanged={list.refetch} />
            </Box>
          </li>
        ))}
      </ul>
    </>
  );
}
