"""Built-in scenarios walked end to end with frozen time."""

from datetime import timedelta

import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.events import types
from saleor_lifecycle.offers.models import IssuedCode
from saleor_lifecycle.scenarios import carts, engine
from saleor_lifecycle.scenarios.messages import SendError
from saleor_lifecycle.scenarios.models import Checkout, CheckoutStatus, Enrollment, StepRun, StepRunStatus

from ..customers.conftest import make_order
from .conftest import NOW


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def checkout(**fields) -> types.Checkout:
    values = dict(
        id="Q2hlY2tvdXQ6MQ==",
        token="0b5f6f0e",
        created=NOW,
        updated_at=NOW,
        last_change=NOW,
        email="ada@example.com",
        user_id=None,
        channel="default-channel",
        currency="USD",
        language_code="EN",
        total=64.95,
        lines=(
            types.CheckoutLine("line-1", 1, 64.95, "variant-1", "Blue", "product-1", "Mug", "mug", None, "category-1"),
        ),
    )
    values.update(fields)
    return types.Checkout(**values)


class Clock:
    """Moves frozen time and runs what beat would run at that moment."""

    def __init__(self, traveller, installation, services):
        self.traveller, self.installation, self.services = traveller, installation, services
        self.now = NOW

    def at(self, delta: timedelta) -> None:
        self.now = NOW + delta
        self.traveller.move_to(self.now)
        carts.detect_abandoned(self.now)
        actions.advance_due_stages(self.now)
        while engine.run_due(self.now, services=self.services):
            pass


def test_the_cart_series_reminds_three_times_and_the_third_carries_a_time_limited_code(
    installation, enable, services, sender, fake_saleor
):
    enable("abandoned_cart")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        carts.do_apply_checkout(installation, checkout(), now=NOW)

        clock.at(hours(0.5))
        assert Checkout.objects.get().status == CheckoutStatus.ACTIVE  # not idle long enough yet
        clock.at(hours(1))
        assert Checkout.objects.get().status == CheckoutStatus.ABANDONED
        assert sender.sent == []
        clock.at(hours(2))
        assert sender.subjects() == ["You left something in your cart"]
        assert "Mug" in sender.sent[0].text
        clock.at(hours(48))
        assert len(sender.sent) == 1
        clock.at(hours(49))
        assert sender.subjects()[-1] == "Still thinking it over?"
        clock.at(hours(73))

    assert len(sender.sent) == 3, list(StepRun.objects.values_list("step_key", "status", "error"))
    last = sender.sent[-1]
    code = IssuedCode.objects.get()
    assert code.code in last.text
    assert code.code.startswith("LC-") and len(code.code) == 13
    assert code.expires_at - (NOW + hours(73)) <= timedelta(days=2)  # time-limited
    voucher = fake_saleor.voucher_by_code(code.code)
    assert voucher["singleUse"] is True
    assert Enrollment.objects.get().status == "completed"


def test_an_order_after_the_second_reminder_stops_the_series(installation, enable, services, sender):
    enable("abandoned_cart")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        carts.do_apply_checkout(installation, checkout(), now=NOW)
        for at in (1, 2, 50):
            clock.at(hours(at))
        assert len(sender.sent) == 2
        order = make_order(1, created=NOW + hours(51), user_id=None, email="ada@example.com")
        actions.do_apply_order(installation, order, now=NOW + hours(51))
        clock.at(hours(80))

    assert len(sender.sent) == 2
    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.exit_reason) == ("exited", "ordered")


def test_a_customer_eligible_for_two_scenarios_gets_only_the_higher_priority_one(installation, enable, services, sender):
    enable("welcome", "first_purchase")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=NOW
        )
        # A prospect enters the welcome series (priority 10)...
        assert Enrollment.objects.get().scenario.key == "welcome"
        # ...and their first order moves them into first_purchase (priority 20), which takes over.
        actions.do_apply_order(installation, make_order(1, created=NOW, user_id="VXNlcjox"), now=NOW)
        clock.at(hours(1))

    statuses = dict(Enrollment.objects.values_list("scenario__key", "status"))
    assert statuses == {"welcome": "exited", "first_purchase": "active"}
    assert sender.subjects() == ["Thank you for your order, Ada!"]


def test_a_step_over_the_frequency_budget_is_deferred_and_sent_later(installation, enable, services, sender):
    enable("welcome")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=NOW
        )
        clock.at(hours(0))
        assert sender.subjects() == ["Welcome to Our shop, Ada!"]
        # Another scenario's email went out just before the second welcome step was due.
        enrollment = Enrollment.objects.get()
        StepRun.objects.create(
            enrollment=enrollment, customer=enrollment.customer, step_key="elsewhere",
            status=StepRunStatus.SENT, started_at=NOW + hours(47), sent_at=NOW + hours(47),
        )
        clock.at(hours(48))
        assert len(sender.sent) == 1
        # Deferred 16 h after the other email, which lands at 01:00: then past the quiet hours.
        assert Enrollment.objects.get().next_run_at == NOW + hours(70)
        clock.at(hours(69))
        assert len(sender.sent) == 1
        clock.at(hours(70))

    assert sender.subjects()[-1] == "10% off on your first order"


def test_quiet_hours_defer_a_send_to_the_morning(installation, enable, services, sender):
    enable("welcome")
    evening = NOW.replace(hour=22)
    with time_machine.travel(evening, tick=False):
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=evening
        )
        engine.run_due(evening, services=services)
    assert sender.sent == []
    assert Enrollment.objects.get().next_run_at == (evening + timedelta(days=1)).replace(hour=8)


def test_a_retryable_failure_defers_the_step_and_never_sends_twice(installation, enable, services, sender):
    enable("welcome")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        sender.fail_with = SendError("SMTP server down")
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=NOW
        )
        clock.at(hours(0))
        run = StepRun.objects.get()
        assert (run.status, run.attempts) == (StepRunStatus.RETRYING, 1)
        sender.fail_with = None
        clock.at(timedelta(minutes=5))
        clock.at(timedelta(minutes=30))

    assert sender.subjects() == ["Welcome to Our shop, Ada!"]
    assert StepRun.objects.get().status == StepRunStatus.SENT


def test_a_worker_that_died_while_sending_never_causes_a_second_send(installation, enable, services, sender):
    enable("welcome")
    with time_machine.travel(NOW, tick=False) as traveller:
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=NOW
        )
        # The worker claimed the enrollment, committed the step run, then died.
        ids, lease = engine.claim_due(NOW)
        enrollment = Enrollment.objects.get(pk=ids[0])
        StepRun.objects.create(
            enrollment=enrollment, customer=enrollment.customer, step_key="welcome_hello",
            status=StepRunStatus.SENDING, started_at=NOW, attempts=1,
        )
        clock = Clock(traveller, installation, services)
        clock.at(timedelta(minutes=20))  # the lease ended: another worker picks it up

    assert sender.sent == []
    assert StepRun.objects.get(step_key="welcome_hello").status == StepRunStatus.UNCERTAIN
    assert Enrollment.objects.get().step_key == "welcome_first_order_coupon"


def test_reactivation_escalates_and_reminds_only_those_who_did_not_open(installation, enable, services, sender, fake_saleor):
    enable("reactivation")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        actions.do_apply_order(installation, make_order(1, created=NOW, user_id="VXNlcjox"), now=NOW)
        clock.at(timedelta(days=100))  # 2 x 50 days: lapsed
        assert Customer.objects.get().stage == "lapsed"
        for day in (100, 105, 109, 113, 119, 125):
            clock.at(timedelta(days=day, hours=1))

    assert sender.subjects() == [
        "We haven't seen you for a while. Is everything all right?",
        "Let's change that! Shipping is on us",
        "Your free-shipping code expires soon",
        "We miss you",
        "Your discount is valid for 24 more hours",
    ]
    kinds = list(IssuedCode.objects.order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["free_shipping", "percentage"]


def test_held_out_customers_walk_the_same_steps_silently(installation, enable, services, sender):
    enable("welcome", holdout_share=1.0)
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        actions.do_apply_customer(
            installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", NOW, NOW, {}), now=NOW
        )
        clock.at(hours(0))
        clock.at(hours(48))

    assert sender.sent == []
    assert not IssuedCode.objects.exists()
    runs = list(StepRun.objects.order_by("started_at").values_list("step_key", "status", "started_at"))
    assert runs == [
        ("welcome_hello", StepRunStatus.HELD_OUT, NOW),
        ("welcome_first_order_coupon", StepRunStatus.HELD_OUT, NOW + hours(48)),
    ]
    assert Enrollment.objects.get().held_out


def test_the_holdout_is_a_stable_share_of_customers():
    from saleor_lifecycle.results.uplift import holdout_assignment

    held = [holdout_assignment("reactivation", str(pk), 0.10) for pk in range(20000)]
    assert 0.09 < sum(held) / len(held) < 0.11
    assert held == [holdout_assignment("reactivation", str(pk), 0.10) for pk in range(20000)]
