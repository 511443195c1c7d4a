/** What the dashboard's customer page shows about a customer: stage, outlook, next step, codes. */

import { Box, Text } from "@saleor/macaw-ui";

import type { CustomerOutlookFragment, OfferStatus } from "../../gql/graphql";
import { humanize, SEGMENT_LABELS, STAGE_LABELS } from "../../format/labels";
import { formatCount, formatDate, formatDateTime, formatMoney, formatRelative, formatShare } from "../../format/numbers";

export type CustomerCard = CustomerOutlookFragment;

const STAGE_BADGE: Record<string, string> = {
  PROSPECT: "badge--info",
  NEW: "badge--info",
  RETURNING: "badge--success",
  AT_RISK: "badge--warning",
  LAPSED: "badge--critical",
  SUNSET: "",
};

const OFFER_STATUS: Record<OfferStatus, string> = {
  PENDING: "being created",
  ACTIVE: "usable",
  USED: "used",
  EXPIRED: "expired",
  DELETED: "expired",
};

export function StageBadge({ stage }: { stage: CustomerCard["stage"] }) {
  return <span className={`badge ${STAGE_BADGE[stage] ?? ""}`}>{STAGE_LABELS[stage]}</span>;
}

export function offerLabel(offer: { kind: string; value: number }): string {
  switch (offer.kind.toLowerCase()) {
    case "percentage":
      return `${offer.value} % off`;
    case "fixed_amount":
      return `${formatMoney(offer.value)} off`;
    case "free_shipping":
      return "free shipping";
    default:
      return humanize(offer.kind.toLowerCase());
  }
}

/** "likely still a customer" etc.: P(alive) in words next to the number. */
export function aliveWords(pAlive: number): string {
  if (pAlive >= 0.7) return "likely still a customer";
  if (pAlive >= 0.3) return "may be drifting away";
  return "probably gone";
}

export function CustomerSummary({ customer, compact = false }: { customer: CustomerCard; compact?: boolean }) {
  const next = customer.nextPlannedStep;
  return (
    <Box display="flex" flexDirection="column" gap={3}>
      <Box display="flex" alignItems="center" gap={2} flexWrap="wrap">
        <StageBadge stage={customer.stage} />
        <Text size={2} color="default2">
          since {formatDate(customer.stageSince)} ({formatRelative(customer.stageSince)})
        </Text>
        {customer.messagesPaused ? <span className="badge badge--warning">emails paused</span> : null}
      </Box>
      <dl className="definition-list">
        <dt>P(alive)</dt>
        <dd>{customer.pAlive === null ? "not predicted yet" : `${formatShare(customer.pAlive, 0)} — ${aliveWords(customer.pAlive)}`}</dd>
        <dt>CLV (12 months)</dt>
        <dd>{customer.clv === null ? "not predicted yet" : formatMoney(customer.clv)}</dd>
        {!compact && customer.expectedNextOrderAt ? (
          <>
            <dt>Next order expected</dt>
            <dd>{formatDate(customer.expectedNextOrderAt)}</dd>
          </>
        ) : null}
        <dt>Next step</dt>
        <dd>
          {next ? (
            <>
              {next.scenario.name}: {next.step} ({next.kind}) {formatDateTime(next.at)}
              {next.notes.length ? <div style={{ fontSize: 12, opacity: 0.75 }}>{next.notes.join("; ")}</div> : null}
            </>
          ) : (
            "none planned"
          )}
        </dd>
        <dt>Stage changes</dt>
        <dd>{customer.nextStageAt ? `${formatDate(customer.nextStageAt)} if no order` : "not planned"}</dd>
        <dt>Orders</dt>
        <dd>
          {formatCount(customer.ordersCount)} · {formatMoney(customer.totalSpent)} spent
          {!compact && customer.lastOrderAt ? `, last ${formatDate(customer.lastOrderAt)}` : ""}
        </dd>
        <dt>Segment</dt>
        <dd>
          {customer.rfm.segment
            ? `${SEGMENT_LABELS[customer.rfm.segment]} (R${customer.rfm.recency} F${customer.rfm.frequency} M${customer.rfm.monetary})`
            : "none (no orders yet)"}
        </dd>
        <dt>Codes</dt>
        <dd>
          {customer.offers.length === 0
            ? "none sent"
            : customer.offers.slice(0, compact ? 3 : undefined).map((offer) => (
                <div key={offer.code}>
                  <code>{offer.code}</code> {offerLabel(offer)}, {OFFER_STATUS[offer.status]}
                  {offer.status === "ACTIVE" ? ` until ${formatDate(offer.expiresAt)}` : ""}
                </div>
              ))}
        </dd>
        {customer.unsubscribedAt ? (
          <>
            <dt>Unsubscribed</dt>
            <dd>{formatDate(customer.unsubscribedAt)}</dd>
          </>
        ) : null}
      </dl>
    </Box>
  );
}
