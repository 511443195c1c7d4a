"""The built-in scenarios, from the practitioners' guides (DOMAIN.md).

Each is stored per shop as JSON (disabled until the shop enables it) and every timing
and offer is editable there. Template names are the keys of the default email templates.
"""

from ..customers.stages import Stage
from .definitions import ExitWhen, OfferKind, StepKind, TriggerKind

WAIT, SEND, BRANCH = StepKind.WAIT, StepKind.SEND, StepKind.BRANCH


def send(key: str, **extra) -> dict:
    return {"key": key, "kind": SEND, "template": key, **extra}


def wait(key: str, **duration) -> dict:
    return {"key": key, "kind": WAIT, "delay": duration}


WELCOME = {
    "key": "welcome",
    "name": "Welcome series",
    "trigger": {"kind": TriggerKind.STAGE_ENTERED, "stage": Stage.PROSPECT},
    "priority": 10,
    "exit_when": [ExitWhen.ORDERED, ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [
        send("welcome_hello"),
        wait("wait_2_days", days=2),
        send("welcome_first_order_coupon", offer={"kind": OfferKind.PERCENTAGE, "value": 10, "valid_days": 14}),
    ],
}

FIRST_PURCHASE = {
    "key": "first_purchase",
    "name": "Thank you, care and cross-sell after the first order",
    "trigger": {"kind": TriggerKind.FIRST_ORDER},
    "priority": 20,
    # They just ordered: a further order must not cut the thank-you short.
    "exit_when": [ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [
        send("first_purchase_thank_you"),
        wait("wait_7_days", days=7),
        send("first_purchase_care"),
        wait("wait_14_days", days=14),
        send("first_purchase_cross_sell"),
    ],
}

RETENTION = {
    "key": "retention",
    "name": "Retention before the reorder interval runs out",
    "trigger": {"kind": TriggerKind.STAGE_ENTERED, "stage": Stage.AT_RISK},
    "priority": 30,
    "exit_when": [ExitWhen.ORDERED, ExitWhen.STAGE_LEFT, ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [
        send("retention_recommendations"),
        wait("wait_5_days", days=5),
        send("retention_loyalty"),
    ],
}

ABANDONED_CART = {
    "key": "abandoned_cart",
    "name": "Abandoned cart: 24 / 48 / 72 hours",
    "trigger": {"kind": TriggerKind.CART_ABANDONED},
    "runs_alongside": True,
    "exit_when": [ExitWhen.ORDERED, ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [
        wait("wait_1_hour", hours=1),
        send("cart_reminder"),
        wait("wait_until_48_hours", hours=47),
        send("cart_reminder_pictures"),
        wait("wait_until_72_hours", hours=24),
        send("cart_last_chance", offer={"kind": OfferKind.PERCENTAGE, "value": 10, "valid_days": 1}),
    ],
}

REACTIVATION = {
    "key": "reactivation",
    "name": "Reactivation in five steps",
    "trigger": {"kind": TriggerKind.STAGE_ENTERED, "stage": Stage.LAPSED},
    "priority": 40,
    "exit_when": [ExitWhen.ORDERED, ExitWhen.STAGE_LEFT, ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [
        # Non-margin first: a question and a survey.
        send("reactivation_checkin"),
        wait("wait_5_days", days=5),
        send("reactivation_free_shipping", offer={"kind": OfferKind.FREE_SHIPPING, "valid_days": 7}),
        wait("wait_4_days", days=4),
        # Remind only those who did not even open it; the others go on to the discount.
        {"key": "opened_free_shipping", "kind": BRANCH, "condition": "opened",
         "then": "wait_before_discount", "otherwise": "reactivation_code_expires"},
        send("reactivation_code_expires"),
        wait("wait_before_discount", days=4),
        send("reactivation_discount", offer={"kind": OfferKind.PERCENTAGE, "value": 15, "valid_days": 7}),
        wait("wait_6_days", days=6),
        send("reactivation_last_day"),
    ],
}

SUNSET = {
    "key": "sunset",
    "name": "Goodbye",
    "trigger": {"kind": TriggerKind.STAGE_ENTERED, "stage": Stage.SUNSET},
    "priority": 50,
    "exit_when": [ExitWhen.ORDERED, ExitWhen.BOUNCED],
    "steps": [send("sunset_goodbye", marketing=False)],
}

WELCOME_BACK = {
    "key": "welcome_back",
    "name": "Welcome back",
    "trigger": {"kind": TriggerKind.CAME_BACK},
    "priority": 60,
    "exit_when": [ExitWhen.UNSUBSCRIBED, ExitWhen.BOUNCED],
    "steps": [send("welcome_back")],
}

BUILT_IN = [WELCOME, FIRST_PURCHASE, RETENTION, ABANDONED_CART, REACTIVATION, SUNSET, WELCOME_BACK]
