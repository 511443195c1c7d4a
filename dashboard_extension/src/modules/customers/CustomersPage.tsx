import { Box, Input } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";

import type { LifecycleStage, RfmSegment } from "../../gql/graphql";
import { pathFor, useRouter } from "../../app/router";
import { SEGMENT_LABELS, SEGMENTS, STAGE_LABELS, STAGES } from "../../format/labels";
import { PageHeader, Section } from "../../ui/layout";
import { EmptyState, ErrorState, Loading } from "../../ui/states";
import { CustomerTable } from "./CustomerTable";
import { Pager } from "./Pager";
import { useCustomerPages } from "./useCustomerPages";

export default function CustomersPage() {
  const { route, navigate } = useRouter();
  const query = route?.query ?? new URLSearchParams();
  const stage = (query.get("stage") || undefined) as LifecycleStage | undefined;
  const segment = (query.get("segment") || undefined) as RfmSegment | undefined;
  const search = query.get("search") ?? "";
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);

  const update = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string> = {};
    const merged = { stage, segment, search: search || undefined, ...changes };
    for (const [key, value] of Object.entries(merged)) if (value) next[key] = value;
    navigate(pathFor("customers", {}, next));
  };
  const pages = useCustomerPages({ stage, segment, search: search || undefined });

  return (
    <>
      <PageHeader title="Customers" description="Every customer the app knows, with their stage and RFM segment." />
      <Section id="filters" title="Filter">
        <form
          className="form-grid"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            update({ search: draft.trim() || undefined });
          }}
        >
          <div>
            <label className="field-label" htmlFor="filter-stage">
              Stage
            </label>
            <select id="filter-stage" className="native-select" value={stage ?? ""} onChange={(event) => update({ stage: event.target.value || undefined })}>
              <option value="">Any stage</option>
              {STAGES.map((value) => (
                <option key={value} value={value}>
                  {STAGE_LABELS[value]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label className="field-label" htmlFor="filter-segment">
              Segment
            </label>
            <select id="filter-segment" className="native-select" value={segment ?? ""} onChange={(event) => update({ segment: event.target.value || undefined })}>
              <option value="">Any segment</option>
              {SEGMENTS.map((value) => (
                <option key={value} value={value}>
                  {SEGMENT_LABELS[value]}
                </option>
              ))}
            </select>
          </div>
          <Input
            label="Search name or email (Enter)"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            onBlur={() => draft.trim() !== search && update({ search: draft.trim() || undefined })}
          />
        </form>
      </Section>
      <Section id="customer-list" title="Customers">
        {pages.error ? <ErrorState error={pages.error} what="customers" onRetry={pages.refetch} /> : null}
        {pages.loading && !pages.customers.length ? <Loading label="Loading customers" rows={6} /> : null}
        {!pages.loading && !pages.error && pages.customers.length === 0 ? (
          <EmptyState title="No customers match">
            {stage || segment || search
              ? "Nobody matches these filters. Clear a filter, or search for part of an email address."
              : "The app has not seen any customers yet: they arrive with the first backfill after installation and with every order."}
          </EmptyState>
        ) : null}
        {pages.customers.length ? (
          <Box>
            <CustomerTable customers={pages.customers} caption="Biggest spenders first" />
            <Pager
              page={pages.page}
              total={pages.totalCount}
              hasNext={pages.hasNext}
              hasPrevious={pages.hasPrevious}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </Box>
        ) : null}
      </Section>
    </>
  );
}
