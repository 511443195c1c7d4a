import { Box, Text } from "@saleor/macaw-ui";

import { StageFunnel } from "../../charts/StageFunnel";
import { OverviewFlowsDocument, OverviewScenarioResultsDocument, OverviewStagesDocument } from "../../gql/graphql";
import { pathFor } from "../../app/router";
import { useQuery } from "../../app/hooks";
import { formatCount, formatMoney, formatShare } from "../../format/numbers";
import { formatInterval, READING_LABELS, readInterval } from "../results/intervals";
import { PageHeader, Section, Stat } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { buildFunnel, flowLabel } from "./funnel";

const FLOW_DAYS = 30;

export default function OverviewPage() {
  const stages = useQuery(OverviewStagesDocument, {});
  const flows = useQuery(OverviewFlowsDocument, { days: FLOW_DAYS });
  const results = useQuery(OverviewScenarioResultsDocument, {});
  const funnel = stages.data ? buildFunnel(stages.data.stageCounts, flows.data?.stageFlows ?? []) : undefined;
  const reports = (results.data?.scenarioReports ?? []).filter(
    (report) => report.scenario.enabled || report.uplift.treatment.customers + report.uplift.holdout.customers > 0,
  );
  const count = (stage: string) => funnel?.rows.find((row) => row.stage === stage)?.count ?? 0;

  return (
    <>
      <PageHeader
        title="Overview"
        description="Where your customers are in their life with the shop, how they moved in the last 30 days, and what the scenarios earned."
      />
      {stages.error ? <ErrorState error={stages.error} what="customers per stage" onRetry={stages.refetch} /> : null}
      {stages.loading && !funnel ? <Loading label="Loading customers per stage" rows={6} /> : null}
      {funnel && funnel.total === 0 ? (
        <EmptyState title="No customers yet">
          The app fills in your shop's customers and orders right after installation, then keeps them up to date from
          Saleor's webhooks. If this stays empty for more than a few minutes, check that the app is installed with the
          Manage orders and Manage customers permissions, and that its worker is running.
        </EmptyState>
      ) : null}
      {funnel && funnel.total > 0 ? (
        <>
          <div className="stat-grid">
            <Stat label="Customers" value={formatCount(funnel.total)} />
            <Stat
              label="Returning"
              value={formatShare(funnel.total ? count("RETURNING") / funnel.total : 0)}
              hint={`${formatCount(count("RETURNING"))} ordered more than once`}
            />
            <Stat
              label="Worth winning back"
              value={formatCount(count("AT_RISK") + count("LAPSED"))}
              hint="at risk or lapsed"
            />
            <Stat label={`Stage changes in ${FLOW_DAYS} days`} value={formatCount(funnel.moved)} hint="a customer may move more than once" />
          </div>
          <Section
            id="funnel"
            title="Customers per stage"
            description={`Bars: customers in each stage now. Beside them: how many entered (+) and left (−) it in the last ${FLOW_DAYS} days.`}
          >
            {flows.error ? (
              <Text as="p" size={2} color="critical1" display="block" marginBottom={2} role="alert">
                The {FLOW_DAYS}-day movements could not be loaded ({flows.error.message}); the counts are current.
              </Text>
            ) : null}
            <StageFunnel rows={funnel.rows} days={FLOW_DAYS} />
            <div className="table-wrap">
              <table className="data-table visually-hidden">
                <caption>Customers per stage and {FLOW_DAYS}-day flows</caption>
                <thead>
                  <tr>
                    <th scope="col">Stage</th>
                    <th scope="col" className="number">Customers</th>
                    <th scope="col" className="number">Entered</th>
                    <th scope="col" className="number">Left</th>
                  </tr>
                </thead>
                <tbody>
                  {funnel.rows.map((row) => (
                    <tr key={row.stage}>
                      <th scope="row">{row.label}</th>
                      <td className="number">{formatCount(row.count)}</td>
                      <td className="number">{formatCount(row.inflow)}</td>
                      <td className="number">{formatCount(row.outflow)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
          <Section id="flows" title={`Biggest movements in ${FLOW_DAYS} days`}>
            {funnel.topFlows.length === 0 ? (
              <Text as="p" size={3} color="default2">
                Nobody changed stage in the last {FLOW_DAYS} days.
              </Text>
            ) : (
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">From → to</th>
                    <th scope="col" className="number">Customers</th>
                  </tr>
                </thead>
                <tbody>
                  {funnel.topFlows.map((flow) => (
                    <tr key={`${flow.fromStage}-${flow.toStage}`}>
                      <td>{flowLabel(flow)}</td>
                      <td className="number">{formatCount(flow.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
        </>
      ) : null}
      {funnel && funnel.total > 0 ? (
        <Section
          id="scenario-results"
          title="Scenarios in the last 30 days"
          description="Revenue from orders credited to each scenario's emails, and what it added compared with its holdout."
          actions={<Link to={pathFor("results")}>All results</Link>}
        >
          {results.error ? <ErrorState error={results.error} what="the scenarios' results" onRetry={results.refetch} /> : null}
          {results.loading && !results.data ? <Loading label="Loading the scenarios' results" /> : null}
          {results.data && reports.length === 0 ? (
            <Text as="p" size={3} color="default2">
              No scenario is on yet. <Link to={pathFor("scenarios")}>Turn one on</Link> to start winning customers back;
              its revenue and uplift show here.
            </Text>
          ) : null}
          {reports.length ? (
            <div className="table-wrap">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Scenario</th>
                    <th scope="col" className="number">Customers</th>
                    <th scope="col" className="number">Sent</th>
                    <th scope="col" className="number">Converted</th>
                    <th scope="col" className="number">Net revenue</th>
                    <th scope="col">Uplift vs holdout</th>
                  </tr>
                </thead>
                <tbody>
                  {reports.map((report) => {
                    const sent = report.steps.reduce((sum, step) => sum + step.sent, 0);
                    const converted = report.steps.reduce((sum, step) => sum + step.converted, 0);
                    const net = report.steps.reduce((sum, step) => sum + step.netRevenue, 0);
                    const reading = readInterval(report.uplift.absoluteUplift);
                    return (
                      <tr key={report.scenario.key}>
                        <th scope="row">
                          <Link to={pathFor("scenario", { key: report.scenario.key })}>{report.scenario.name}</Link>
                          {report.scenario.enabled ? null : <span className="badge" style={{ marginLeft: 6 }}>off</span>}
                        </th>
                        <td className="number">{formatCount(report.uplift.treatment.customers + report.uplift.holdout.customers)}</td>
                        <td className="number">{formatCount(sent)}</td>
                        <td className="number">{formatCount(converted)}</td>
                        <td className="number">{formatMoney(net)}</td>
                        <td>
                          {formatInterval(report.uplift.absoluteUplift, "pp")}{" "}
                          <span className={`badge ${reading === "better" ? "badge--success" : reading === "worse" ? "badge--critical" : ""}`}>
                            {READING_LABELS[reading]}
                          </span>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : null}
        </Section>
      ) : null}
      <Box marginTop={2}>
        <Text size={2} color="default2">
          Next: <Link to={pathFor("scenarios")}>turn on a scenario</Link> or <Link to={pathFor("segments")}>look at your segments</Link>.
        </Text>
      </Box>
    </>
  );
}
