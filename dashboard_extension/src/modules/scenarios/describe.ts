/** Scenarios in the shop's words: what starts one, what a step does, what a code gives. */

import type { ScenarioFieldsFragment } from "../../gql/graphql";
import { STAGE_LABELS } from "../../format/labels";
import { formatMoney } from "../../format/numbers";

type Trigger = ScenarioFieldsFragment["trigger"];
type Offer = NonNullable<ScenarioFieldsFragment["steps"][number]["offer"]>;

export function describeTrigger(trigger: Trigger): string {
  switch (trigger.kind) {
    case "STAGE_ENTERED":
      return trigger.stage ? `When a customer becomes ${STAGE_LABELS[trigger.stage].toLowerCase()}` : "When a customer changes stage";
    case "CART_ABANDONED":
      return "When a checkout with an email is left without an order";
    case "FIRST_ORDER":
      return "After a customer's first order";
    case "ORDER_FULFILLED":
      return "When an order is fulfilled";
    case "FIRST_ORDER_ANNIVERSARY":
      return "On the yearly anniversary of the first order";
    case "CAME_BACK":
      return "When a lapsed customer orders again";
    case "MANUAL":
      return "When staff enrol customers";
  }
}

export function describeOffer(offer: Pick<Offer, "kind" | "value" | "validDays" | "minOrderValue"> | null | undefined): string {
  if (!offer) return "no code";
  const what =
    offer.kind === "PERCENTAGE"
      ? `${offer.value} % off`
      : offer.kind === "FIXED_AMOUNT"
        ? `${formatMoney(offer.value)} off`
        : offer.kind === "FREE_SHIPPING"
          ? "free shipping"
          : "a gift";
  const minimum = offer.minOrderValue ? ` over ${formatMoney(offer.minOrderValue)}` : "";
  return `${what}${minimum}, valid ${offer.validDays} days`;
}

export const EXIT_LABELS: Record<string, string> = {
  ordered: "they order",
  stage_left: "they leave the stage",
  unsubscribed: "they unsubscribe",
  bounced: "their email bounces",
};

export const CONDITION_LABELS: Record<string, string> = {
  OPENED: "opened the last email",
  CLICKED: "clicked in the last email",
  PURCHASED: "ordered since the last email",
};

export function sendsSummary(scenario: Pick<ScenarioFieldsFragment, "steps">): string {
  const sends = scenario.steps.filter((step) => step.kind === "SEND");
  const codes = sends.filter((step) => step.offer).length;
  const emails = `${sends.length} email${sends.length === 1 ? "" : "s"}`;
  return codes ? `${emails}, ${codes} with a code` : emails;
}
