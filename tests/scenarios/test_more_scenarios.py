"""Carts marked in Saleor, versions, dry runs, explain, and the other triggers."""

import copy
import json
from datetime import timedelta

import time_machine
from django.core.management import call_command

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.events import types
from saleor_lifecycle.scenarios import carts, engine
from saleor_lifecycle.scenarios.dryrun import simulate_entries
from saleor_lifecycle.scenarios.enrollment import enroll_first_order_anniversaries, save_version
from saleor_lifecycle.scenarios.library import WELCOME
from saleor_lifecycle.scenarios.models import Checkout, CheckoutStatus, Enrollment, Scenario

from ..customers.conftest import make_order
from .conftest import NOW
from .test_scenarios_run import Clock, checkout, hours


def ada(installation, now=NOW):
    return actions.do_apply_customer(
        installation, types.Customer("VXNlcjox", "ada@example.com", "Ada", "", True, "EN", now, now, {}), now=now
    )


def test_an_abandoned_checkout_is_marked_in_saleor_with_the_reminder_stage(installation, enable, services, fake_saleor):
    enable("abandoned_cart")
    fake_saleor.checkouts.append({"id": "Q2hlY2tvdXQ6MQ==", "metadata": [], "privateMetadata": []})
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        carts.do_apply_checkout(installation, checkout(), now=NOW)
        clock.at(hours(1))
        assert carts.mark_abandoned_in_saleor(installation) == 1
        clock.at(hours(2))
        carts.mark_abandoned_in_saleor(installation)

    marks = {item["key"]: item["value"] for item in fake_saleor.checkouts[0]["metadata"]}
    assert marks == {"lifecycle.abandoned_at": (NOW + hours(1)).isoformat(), "lifecycle.reminder_stage": "1"}


def test_an_emptied_or_superseded_checkout_stops_its_reminders(installation, enable, services, sender):
    enable("abandoned_cart")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        carts.do_apply_checkout(installation, checkout(), now=NOW)
        clock.at(hours(1))
        clock.at(hours(2))  # first reminder for the first cart
        carts.do_apply_checkout(installation, checkout(id="Q2hlY2tvdXQ6Mg==", last_change=NOW + hours(3)), now=NOW)
        for at in (4, 5, 50):
            clock.at(hours(at))

    first = Checkout.objects.get(saleor_id="Q2hlY2tvdXQ6MQ==")
    assert first.status == CheckoutStatus.SUPERSEDED
    assert Enrollment.objects.get(checkout=first).exit_reason == "checkout superseded"
    assert len([m for m in sender.sent if m.subject == "You left something in your cart"]) == 2  # one per cart


def test_an_older_checkout_payload_is_ignored(installation):
    carts.do_apply_checkout(installation, checkout(last_change=NOW + hours(1)), now=NOW)
    assert carts.do_apply_checkout(installation, checkout(last_change=NOW, lines=()), now=NOW) is None
    assert Checkout.objects.get().status == CheckoutStatus.ACTIVE


def test_a_running_enrollment_finishes_on_the_version_it_started(installation, enable, services, sender):
    enable("welcome")
    with time_machine.travel(NOW, tick=False) as traveller:
        clock = Clock(traveller, installation, services)
        ada(installation)
        clock.at(hours(0))
        changed = copy.deepcopy(WELCOME)
        changed["steps"][1]["delay"] = {"days": 10}
        save_version(Scenario.objects.get(installation=installation, key="welcome"), changed)
        clock.at(hours(49))

    assert len(sender.sent) == 2  # still the 2-day wait of version 1
    assert Enrollment.objects.get().version.number == 1
    assert Scenario.objects.get(installation=installation, key="welcome").current_version.number == 2


def test_the_dry_run_counts_who_would_enter_in_the_next_seven_days(installation):
    with time_machine.travel(NOW, tick=False):
        for number, days_ago in enumerate([40, 45, 90, 10]):
            order = make_order(number, created=NOW - timedelta(days=days_ago), user_id=f"u{number}", email=f"c{number}@x.com")
            actions.do_apply_order(installation, order, now=NOW)
        retention = Scenario.objects.get(installation=installation, key="retention")
        result = simulate_entries(retention, NOW, days=7)

    # At risk from day 45 of silence: the customer silent for 40 days gets there this week;
    # the one at 45 days is already at risk, the one at 90 already lapsed is not counted.
    assert result["expected_entries"] == 1
    assert "at_risk" in result["basis"]


def test_the_scenarios_command_lists_enables_and_explains(installation, capsys):
    call_command("scenarios", "enable", "welcome")
    with time_machine.travel(NOW, tick=False):
        ada(installation)
        call_command("scenarios", "list")
        call_command("scenarios", "explain", "ada@example.com")
    output = capsys.readouterr().out
    assert "welcome          on " in output
    assert "abandoned_cart   off" in output
    plans = json.loads(output[output.index("[") :])
    assert plans[0]["scenario"] == "welcome"
    assert plans[0]["next_step"] == "welcome_hello"


def test_staff_can_enroll_a_segment_by_hand(installation, capsys):
    call_command("scenarios", "enable", "retention")
    for number in range(3):
        actions.do_apply_order(installation, make_order(number, created=NOW, user_id=f"u{number}", email=f"c{number}@x.com"), now=NOW)
    call_command("scenarios", "enroll", "retention", "--stage", "new")
    assert "3 customers enrolled in retention" in capsys.readouterr().out


def test_a_fulfilled_order_and_a_first_order_anniversary_trigger_their_scenarios(installation):
    fulfilled = copy.deepcopy(WELCOME) | {"key": "review_request", "trigger": {"kind": "order_fulfilled"}}
    anniversary = copy.deepcopy(WELCOME) | {"key": "anniversary", "trigger": {"kind": "first_order_anniversary"}, "priority": 15}
    for data in (fulfilled, anniversary):
        scenario = Scenario.objects.create(installation=installation, key=data["key"], enabled=True)
        save_version(scenario, data)

    from saleor_lifecycle.events.signals import lifecycle_event

    order = make_order(1, created=NOW - timedelta(days=365), status="FULFILLED")
    event = types.OrderEvent("ORDER_UPDATED", NOW, "3.24", {}, order=order)
    with time_machine.travel(NOW, tick=False):
        lifecycle_event.send(sender=types.OrderEvent, installation=installation, event=event)
        assert enroll_first_order_anniversaries(installation, NOW) == 1

    assert set(Enrollment.objects.values_list("scenario__key", flat=True)) == {"review_request", "anniversary"}
    assert Customer.objects.count() == 1


def test_nothing_runs_for_a_disabled_scenario(installation, services, sender):
    with time_machine.travel(NOW, tick=False):
        ada(installation)
        engine.run_due(NOW, services=services)
    assert not Enrollment.objects.exists()
    assert sender.sent == []
