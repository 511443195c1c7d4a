/** Why the customer is in their stage: facts, the shop's rule, thresholds and history. */

import { Box, Text } from "@saleor/macaw-ui";

import type { CustomerExplainQuery } from "../../gql/graphql";
import { humanize, STAGE_LABELS } from "../../format/labels";
import { formatCount, formatDate, formatMoney } from "../../format/numbers";

type Explained = NonNullable<CustomerExplainQuery["customer"]>;

const days = (value: number) => `${Math.round(value)} days`;

export function CustomerExplain({ customer }: { customer: Explained }) {
  const { explain } = customer;
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <Box>
        <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={1}>
          Why {STAGE_LABELS[customer.stage]}
        </Text>
        <Text as="p" size={3} display="block">
          {explain.reason}
        </Text>
        {!explain.upToDate ? (
          <Text as="p" size={2} color="warning1" display="block" marginTop={1}>
            The stored stage lags the rules; the next check (within a minute) moves it.
          </Text>
        ) : null}
      </Box>
      <Box>
        <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={1}>
          Facts
        </Text>
        <dl className="definition-list">
          <dt>Orders that count</dt>
          <dd>{formatCount(explain.facts.ordersCounted)}</dd>
          <dt>Not counted</dt>
          <dd>{formatCount(explain.facts.ordersNotCounted)} (cancelled, draft or refunded)</dd>
          <dt>First / last order</dt>
          <dd>
            {formatDate(explain.facts.firstOrderAt)} / {formatDate(explain.facts.lastOrderAt)}
          </dd>
          <dt>Spent</dt>
          <dd>{formatMoney(explain.facts.totalSpent)}</dd>
        </dl>
      </Box>
      <Box>
        <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={1}>
          The shop's rule
        </Text>
        <dl className="definition-list">
          <dt>Usual reorder</dt>
          <dd>
            every {days(explain.rule.reorderIntervalDays)} ({humanize(explain.rule.intervalSource).toLowerCase()})
          </dd>
          <dt>At risk after</dt>
          <dd>
            {days(explain.rule.atRiskAfterDays)} → {formatDate(explain.thresholds.atRiskAt)}
          </dd>
          <dt>Lapsed after</dt>
          <dd>
            {days(explain.rule.lapsedAfterDays)} → {formatDate(explain.thresholds.lapsedAt)}
          </dd>
          <dt>Sunset after</dt>
          <dd>
            {days(explain.rule.sunsetAfterDays)} → {formatDate(explain.thresholds.sunsetAt)}
          </dd>
          <dt>Next change</dt>
          <dd>
            {explain.nextStage.stage
              ? `${STAGE_LABELS[explain.nextStage.stage]} on ${formatDate(explain.nextStage.at)}, unless they order`
              : "none planned"}
          </dd>
        </dl>
      </Box>
      {customer.history.length ? (
        <Box>
          <Text as="h3" size={4} fontWeight="bold" display="block" marginBottom={1}>
            History
          </Text>
          <ol className="step-list">
            {[...customer.history].sort((a, b) => b.at.localeCompare(a.at)).map((transition) => (
              <li key={`${transition.at}-${transition.toStage}`}>
                <Text size={3} fontWeight="medium">
                  {transition.fromStage ? `${STAGE_LABELS[transition.fromStage]} → ` : ""}
                  {STAGE_LABELS[transition.toStage]}
                </Text>
                <Text size={2} color="default2" marginLeft={2}>
                  {formatDate(transition.at)} · {transition.reason}
                </Text>
              </li>
            ))}
          </ol>
        </Box>
      ) : null}
    </Box>
  );
}
