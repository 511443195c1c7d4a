/** Per scenario and step: sent → opened → clicked → converted, and the holdout comparison. */

import { Box, Button, Text } from "@saleor/macaw-ui";
import { useMemo, useState } from "react";

import { IntervalPlot } from "../../charts/IntervalPlot";
import { MiniBar } from "../../charts/MiniBar";
import { type ScenarioResultsQuery, ScenarioResultsCsvDocument, ScenarioResultsDocument } from "../../gql/graphql";
import { useApp, useQuery } from "../../app/hooks";
import type { ApiError } from "../../app/graphql";
import { pathFor } from "../../app/router";
import { formatCount, formatDate, formatMoney, formatShare } from "../../format/numbers";
import { PageHeader, Section } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { csvFileName, formatInterval, formatSigned, READING_LABELS, readInterval, stepFunnel, totalSteps } from "./intervals";

type Report = ScenarioResultsQuery["scenarioReports"][number];

const PERIODS = [30, 90, 365];

function period(days: number): { since: string; until: string } {
  const until = new Date();
  // whole minutes, so a re-render does not make a new query
  until.setSeconds(0, 0);
  const since = new Date(until.getTime() - days * 86400_000);
  return { since: since.toISOString(), until: until.toISOString() };
}

function Reading({ interval }: { interval: Report["uplift"]["absoluteUplift"] }) {
  const reading = readInterval(interval);
  const tone = reading === "better" ? "badge--success" : reading === "worse" ? "badge--critical" : "";
  return <span className={`badge ${tone}`}>{READING_LABELS[reading]}</span>;
}

function StepTable({ report }: { report: Report }) {
  const total = totalSteps(report.steps);
  const rows = [...report.steps.map((step) => ({ ...step, label: step.step, subtotal: false })), { ...total, step: "all", heldOut: report.steps.reduce((sum, step) => sum + step.heldOut, 0), delivered: 0, label: "All steps", subtotal: true }];
  return (
    <div className="table-wrap">
      <table className="data-table">
        <caption>Emails of customers who entered in the period; rates are of the emails sent.</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col" className="number">Sent</th>
            <th scope="col" className="number">Opened</th>
            <th scope="col" className="number">Clicked</th>
            <th scope="col" className="number">Converted</th>
            <th scope="col" className="number">Revenue</th>
            <th scope="col" className="number">Discounts</th>
            <th scope="col" className="number">Net</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const [, opened, clicked, converted] = stepFunnel(row);
            return (
              <tr key={row.step} className={row.subtotal ? "subtotal" : undefined}>
                <th scope="row">{row.label}</th>
                <td className="number">{formatCount(row.sent)}</td>
                {[opened, clicked, converted].map((stage) => (
                  <td key={stage.label} className="number">
                    {formatCount(stage.count)} <span style={{ opacity: 0.7 }}>({formatShare(stage.rate)})</span>
                    <div>
                      <MiniBar share={stage.rate} width={72} />
                    </div>
                  </td>
                ))}
                <td className="number">{formatMoney(row.revenue)}</td>
                <td className="number">{formatMoney(row.discountCost)}</td>
                <td className="number">{formatMoney(row.netRevenue)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function UpliftDetails({ report }: { report: Report }) {
  const { uplift } = report;
  return (
    <dl className="definition-list" data-testid={`uplift-${report.scenario.key}`}>
      <dt>Got the emails</dt>
      <dd>
        {formatCount(uplift.treatment.customers)} customers, {formatCount(uplift.treatment.converted)} ordered ({formatShare(uplift.treatment.conversionRate)})
      </dd>
      <dt>Held out</dt>
      <dd>
        {formatCount(uplift.holdout.customers)} customers, {formatCount(uplift.holdout.converted)} ordered ({formatShare(uplift.holdout.conversionRate)})
      </dd>
      <dt>Conversion uplift</dt>
      <dd>
        {formatInterval(uplift.absoluteUplift, "pp")} <Reading interval={uplift.absoluteUplift} />
      </dd>
      <dt>Relative</dt>
      <dd>{formatInterval(uplift.relativeUplift, "percent")}</dd>
      <dt>Revenue per customer</dt>
      <dd>{formatInterval(uplift.revenuePerCustomerUplift, "money")}</dd>
      <dt>Incremental revenue</dt>
      <dd>{formatInterval(uplift.incrementalRevenue, "money")}</dd>
      <dt>Verdict</dt>
      <dd>{uplift.verdict}</dd>
    </dl>
  );
}

function DownloadCsv({ since, until }: { since: string; until: string }) {
  const { fetcher, session } = useApp();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const download = async () => {
    setState({ busy: true });
    try {
      const data = await fetcher(ScenarioResultsCsvDocument, { since, until });
      const url = URL.createObjectURL(new Blob([data.scenarioReportsCsv], { type: "text/csv;charset=utf-8" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = csvFileName(since, until);
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setState({ busy: false });
    } catch (error) {
      const message = (error as ApiError).message;
      if (!session.notify("error", "The CSV could not be made", message)) setState({ busy: false, error: message });
      else setState({ busy: false });
    }
  };
  return (
    <Box display="flex" alignItems="center" gap={2}>
      <Button variant="secondary" onClick={() => void download()} disabled={state.busy}>
        {state.busy ? "Preparing…" : "Download CSV"}
      </Button>
      {state.error ? (
        <Text size={2} color="critical1" role="alert">
          {state.error}
        </Text>
      ) : null}
    </Box>
  );
}

export default function ResultsPage() {
  const [days, setDays] = useState(90);
  const range = useMemo(() => period(days), [days]);
  const results = useQuery(ScenarioResultsDocument, range);
  const reports = results.data?.scenarioReports ?? [];
  const active = reports.filter((report) => report.uplift.treatment.customers + report.uplift.holdout.customers > 0);
  const shown = [...active].sort((a, b) => (b.uplift.incrementalRevenue.estimate ?? 0) - (a.uplift.incrementalRevenue.estimate ?? 0));

  return (
    <>
      <PageHeader
        title="Results"
        description="For customers who entered each scenario in the period: what its emails did, and how those who got them compare with its holdout, who got nothing."
        actions={
          <>
            <div className="segmented" role="group" aria-label="Period">
              {PERIODS.map((option) => (
                <button key={option} type="button" aria-pressed={days === option} onClick={() => setDays(option)}>
                  {option} days
                </button>
              ))}
            </div>
            <DownloadCsv since={range.since} until={range.until} />
          </>
        }
      />
      {results.error ? <ErrorState error={results.error} what="the results" onRetry={results.refetch} /> : null}
      {results.loading && !results.data ? <Loading label="Loading the results" rows={8} /> : null}
      {results.data && shown.length === 0 ? (
        <EmptyState title="No results in this period" action={<Link to={pathFor("scenarios")}>Go to the scenarios</Link>}>
          Results appear once customers enter a scenario that is on. Turn one on (Abandoned cart is a good first one) and
          give it a few days; the holdout comparison needs a few hundred customers to say much.
        </EmptyState>
      ) : null}
      {shown.length ? (
        <Section
          id="uplift"
          title="Uplift against the holdout"
          description={`Difference in conversion between customers who got each scenario and its holdout, ${formatDate(range.since)} – ${formatDate(range.until)}. Dots: the estimate; lines: the 95 % interval. A line crossing zero means it cannot tell yet.`}
        >
          <IntervalPlot
            title="Conversion uplift per scenario with 95 % intervals"
            format={(value) => formatSigned(value, "pp")}
            rows={shown.map((report) => ({ label: report.scenario.name, ...report.uplift.absoluteUplift }))}
          />
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Scenario</th>
                  <th scope="col" className="number">Customers (held out)</th>
                  <th scope="col">Conversion uplift</th>
                  <th scope="col">Incremental revenue</th>
                  <th scope="col">Reading</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((report) => (
                  <tr key={report.scenario.key}>
                    <th scope="row">
                      <a href={`#results-${report.scenario.key}-title`}>{report.scenario.name}</a>
                    </th>
                    <td className="number">
                      {formatCount(report.uplift.treatment.customers + report.uplift.holdout.customers)} ({formatCount(report.uplift.holdout.customers)})
                    </td>
                    <td>{formatInterval(report.uplift.absoluteUplift, "pp")}</td>
                    <td>{formatInterval(report.uplift.incrementalRevenue, "money")}</td>
                    <td>
                      <Reading interval={report.uplift.absoluteUplift} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Section>
      ) : null}
      {shown.map((report) => (
        <Section
          key={report.scenario.key}
          id={`results-${report.scenario.key}`}
          title={report.scenario.name}
          description={`${report.scenario.enabled ? "On" : "Off"} · holdout ${formatShare(report.scenario.holdoutShare, 0)} · orders within ${report.scenario.attributionWindowDays} days of an email count`}
          actions={<Link to={pathFor("scenario", { key: report.scenario.key })}>Edit scenario</Link>}
        >
          <StepTable report={report} />
          <Box marginTop={4}>
            <UpliftDetails report={report} />
          </Box>
        </Section>
      ))}
      {results.data && reports.length > shown.length && shown.length > 0 ? (
        <Text as="p" size={2} color="default2">
          {reports.length - shown.length} scenarios had nobody enter in this period.
        </Text>
      ) : null}
    </>
  );
}
