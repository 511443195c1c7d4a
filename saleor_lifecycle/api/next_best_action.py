"""What a storefront (or a staff member) should do next for a customer, from their stage.

A short, stable string a storefront can switch on. It is derived from the stage alone
today; offers and scenarios may refine it later without changing the values.

| stage     | next best action     | meaning                                              |
|-----------|----------------------|------------------------------------------------------|
| prospect  | first_order_offer    | never ordered: an incentive for the first order       |
| new       | second_order_nudge   | one order: a reason to come back for the second       |
| returning | loyalty_reward       | orders regularly: recognition rather than discounts   |
| at_risk   | retention_offer      | past their usual reorder time: a reason to order now  |
| lapsed    | welcome_back         | gone quiet: win them back                             |
| sunset    | none                 | reactivation over or unsubscribed: leave them alone   |
"""

from ..customers.stages import Stage


class NextBestAction:
    #: never ordered: an incentive for the first order
    FIRST_ORDER_OFFER = "first_order_offer"
    #: one order: a reason to come back for the second, the step most customers never take
    SECOND_ORDER_NUDGE = "second_order_nudge"
    #: orders regularly: recognition rather than discounts
    LOYALTY_REWARD = "loyalty_reward"
    #: past their usual reorder time: a reason to order before they drift away
    RETENTION_OFFER = "retention_offer"
    #: gone quiet past the reactivation threshold: win them back
    WELCOME_BACK = "welcome_back"
    #: reactivation window over, or unsubscribed for good: leave them alone
    NONE = "none"


BY_STAGE = {
    Stage.PROSPECT: NextBestAction.FIRST_ORDER_OFFER,
    Stage.NEW: NextBestAction.SECOND_ORDER_NUDGE,
    Stage.RETURNING: NextBestAction.LOYALTY_REWARD,
    Stage.AT_RISK: NextBestAction.RETENTION_OFFER,
    Stage.LAPSED: NextBestAction.WELCOME_BACK,
    Stage.SUNSET: NextBestAction.NONE,
}


def next_best_action(stage: str) -> str:
    return BY_STAGE.get(stage, NextBestAction.NONE)
