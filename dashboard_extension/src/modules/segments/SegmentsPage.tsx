import { Box, Text } from "@saleor/macaw-ui";
import { Fragment } from "react";

import type { RfmSegment } from "../../gql/graphql";
import { SegmentCountsDocument } from "../../gql/graphql";
import { useQuery } from "../../app/hooks";
import { pathFor, useRouter } from "../../app/router";
import { SEGMENT_LABELS, SEGMENTS } from "../../format/labels";
import { formatCount, formatShare } from "../../format/numbers";
import { PageHeader, Section } from "../../ui/layout";
import { Link } from "../../ui/Link";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CustomerTable } from "../customers/CustomerTable";
import { Pager } from "../customers/Pager";
import { useCustomerPages } from "../customers/useCustomerPages";
import { rfmCells, SEGMENT_ADVICE, SEGMENT_COLORS } from "./rfm";

function SegmentCustomers({ segment }: { segment: RfmSegment }) {
  const pages = useCustomerPages({ segment });
  if (pages.error) return <ErrorState error={pages.error} what="the segment's customers" onRetry={pages.refetch} />;
  if (pages.loading && !pages.customers.length) return <Loading label="Loading the segment's customers" />;
  if (!pages.customers.length) {
    return (
      <Text as="p" size={3} color="default2">
        Nobody is in this segment right now.
      </Text>
    );
  }
  return (
    <>
      <CustomerTable customers={pages.customers} caption={`${SEGMENT_LABELS[segment]}, biggest spenders first`} />
      <Pager
        page={pages.page}
        total={pages.totalCount}
        hasNext={pages.hasNext}
        hasPrevious={pages.hasPrevious}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </>
  );
}

export default function SegmentsPage() {
  const { route, navigate } = useRouter();
  const counts = useQuery(SegmentCountsDocument, {});
  const selected = (route?.query.get("segment") ?? undefined) as RfmSegment | undefined;
  const bySegment = new Map((counts.data?.segmentCounts ?? []).map((row) => [row.segment, row.count]));
  const total = [...bySegment.values()].reduce((sum, n) => sum + n, 0);
  const select = (segment: RfmSegment) =>
    navigate(pathFor("segments", {}, segment === selected ? undefined : { segment }));

  return (
    <>
      <PageHeader
        title="Segments"
        description="Customers who ordered, by how recently (R) and how often (F) they buy compared with the shop's other buyers (1–5, 5 best). Pick a segment to see who is in it."
      />
      {counts.error ? <ErrorState error={counts.error} what="segments" onRetry={counts.refetch} /> : null}
      {counts.loading && !counts.data ? <Loading label="Loading segments" rows={5} /> : null}
      {counts.data && total === 0 ? (
        <EmptyState title="No segments yet">
          Segments need orders: the app scores every buyer after the first orders arrive, and again every night. Prospects
          (customers who never ordered) have no segment — see them under <Link to={pathFor("customers", {}, { stage: "PROSPECT" })}>Customers</Link>.
        </EmptyState>
      ) : null}
      {counts.data && total > 0 ? (
        <div className="two-columns">
          <Section id="rfm-grid" title="RFM grid" description="Rows: frequency (5 = most orders). Columns: recency (5 = ordered most recently).">
            <div className="rfm-grid" role="group" aria-label="RFM grid: pick a segment">
              {rfmCells().map((cell, index) => (
                <Fragment key={`${cell.recency}-${cell.frequency}`}>
                  {index % 5 === 0 ? (
                    <div className="rfm-grid__axis" aria-hidden="true">
                      F{cell.frequency}
                    </div>
                  ) : null}
                  <button
                    type="button"
                    className="rfm-grid__cell"
                    style={{ background: SEGMENT_COLORS[cell.segment] }}
                    aria-pressed={selected === cell.segment}
                    aria-label={`${SEGMENT_LABELS[cell.segment]}: ${formatCount(bySegment.get(cell.segment) ?? 0)} customers (recency ${cell.recency}, frequency ${cell.frequency})`}
                    onClick={() => select(cell.segment)}
                  >
                    {cell.anchor ? (
                      <>
                        <strong>{SEGMENT_LABELS[cell.segment]}</strong>
                        <span>{formatCount(bySegment.get(cell.segment) ?? 0)}</span>
                      </>
                    ) : null}
                  </button>
                </Fragment>
              ))}
              <div />
              {[1, 2, 3, 4, 5].map((recency) => (
                <div key={`r${recency}`} className="rfm-grid__axis" aria-hidden="true">
                  R{recency}
                </div>
              ))}
            </div>
          </Section>
          <Section id="segment-list" title="Segments">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Segment</th>
                  <th scope="col" className="number">Customers</th>
                  <th scope="col" className="number">Share</th>
                </tr>
              </thead>
              <tbody>
                {SEGMENTS.map((segment) => (
                  <tr key={segment}>
                    <td>
                      <Link to={pathFor("segments", {}, { segment })} aria-current={selected === segment ? "true" : undefined}>
                        {SEGMENT_LABELS[segment]}
                      </Link>
                      <div style={{ fontSize: 12, opacity: 0.75 }}>{SEGMENT_ADVICE[segment]}</div>
                    </td>
                    <td className="number">{formatCount(bySegment.get(segment) ?? 0)}</td>
                    <td className="number">{formatShare(total ? (bySegment.get(segment) ?? 0) / total : 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        </div>
      ) : null}
      {selected && SEGMENTS.includes(selected) ? (
        <Section id="segment-customers" title={`${SEGMENT_LABELS[selected]}: customers`} description={SEGMENT_ADVICE[selected]}>
          <SegmentCustomers segment={selected} />
        </Section>
      ) : counts.data && total > 0 ? (
        <Box marginTop={2}>
          <Text size={2} color="default2">
            Pick a cell or a segment to list its customers.
          </Text>
        </Box>
      ) : null}
    </>
  );
}
