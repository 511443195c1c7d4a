"""One customer walked through every stage and back, with time frozen."""

import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer, Order, StageTransition
from saleor_lifecycle.customers.stages import Stage
from saleor_lifecycle.customers.signals import stage_changed
from saleor_lifecycle.events import types

from .conftest import START, days, make_order


def customer() -> Customer:
    return Customer.objects.get()


def history() -> list[tuple[str, str]]:
    return list(StageTransition.objects.values_list("from_stage", "to_stage"))


def test_it_walks_a_customer_through_every_stage_and_back(shop):
    received = []
    stage_changed.connect(lambda sender, transition, **kw: received.append(transition.to_stage), weak=False, dispatch_uid="walk")
    try:
        with time_machine.travel(START, tick=False) as clock:
            actions.do_apply_customer(
                shop,
                types.Customer("VXNlcjox", "Ada@Example.com", "Ada", "Lovelace", True, "EN", START, START, {}),
                now=START,
            )
            assert customer().stage == Stage.PROSPECT
            assert customer().email == "ada@example.com"

            actions.do_apply_order(shop, make_order(1, created=START), now=START)
            assert customer().stage == Stage.NEW
            assert customer().stage_due_at == START + days(45)

            clock.move_to(START + days(20))
            actions.do_apply_order(shop, make_order(2, created=START + days(20)), now=START + days(20))
            assert customer().stage == Stage.RETURNING

            for elapsed, stage in [(64, Stage.RETURNING), (65, Stage.AT_RISK), (120, Stage.LAPSED), (485, Stage.SUNSET)]:
                clock.move_to(START + days(elapsed))
                actions.advance_due_stages()
                assert customer().stage == stage, elapsed
            assert customer().stage_due_at is None

            clock.move_to(START + days(600))
            actions.do_apply_order(shop, make_order(3, created=START + days(600)), now=START + days(600))
            assert customer().stage == Stage.RETURNING  # any order brings them back
    finally:
        stage_changed.disconnect(dispatch_uid="walk")

    assert history() == [
        ("", "prospect"),
        ("prospect", "new"),
        ("new", "returning"),
        ("returning", "at_risk"),
        ("at_risk", "lapsed"),
        ("lapsed", "sunset"),
        ("sunset", "returning"),
    ]
    assert received == ["prospect", "new", "returning", "at_risk", "lapsed", "sunset", "returning"]
    # Thresholds are recorded when they were passed, not when the tick noticed.
    at_risk = StageTransition.objects.get(to_stage="at_risk")
    assert at_risk.at == START + days(20) + days(45)


def test_a_late_tick_records_every_threshold_passed(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    assert actions.advance_due_stages(START + days(1000)) == 3
    assert [t.to_stage for t in StageTransition.objects.order_by("at")][1:] == ["at_risk", "lapsed", "sunset"]
    assert [t.at for t in StageTransition.objects.order_by("at")][1:] == [START + days(45), START + days(100), START + days(465)]


def test_a_cancelled_order_stops_counting(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    actions.do_apply_order(shop, make_order(2, created=START + days(1)), now=START + days(1))
    assert customer().stage == Stage.RETURNING

    cancelled = make_order(2, created=START + days(1), status="CANCELED", updated_at=START + days(2))
    actions.do_apply_order(shop, cancelled, now=START + days(2))

    assert customer().orders_count == 1
    assert customer().stage == Stage.NEW


def test_a_fully_refunded_order_stops_counting(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    refunded = make_order(1, created=START, refunded="100.00", updated_at=START + days(3))
    actions.do_apply_order(shop, refunded, now=START + days(3))
    assert customer().orders_count == 0
    assert customer().stage == Stage.PROSPECT


def test_an_older_payload_never_overwrites_newer_state(shop):
    newer = make_order(1, created=START, status="FULFILLED", updated_at=START + days(2))
    older = make_order(1, created=START, status="UNFULFILLED", updated_at=START + days(1))
    actions.do_apply_order(shop, newer, now=START)
    assert actions.do_apply_order(shop, older, now=START) is None
    assert Order.objects.get().status == "FULFILLED"


def test_a_guest_who_registers_keeps_their_orders(shop):
    actions.do_apply_order(shop, make_order(1, created=START, user_id=None, email="Guest@Example.com"), now=START)
    actions.do_apply_order(shop, make_order(2, created=START + days(5), user_id=None, email="guest@example.com"), now=START)
    guest = customer()
    assert (guest.saleor_user_id, guest.orders_count) == (None, 2)

    actions.do_apply_customer(
        shop, types.Customer("VXNlcjo5", "guest@example.com", "Grace", "", True, "EN", START, START, {}), now=START
    )

    registered = customer()
    assert registered.pk == guest.pk
    assert registered.saleor_user_id == "VXNlcjo5"
    assert registered.orders_count == 2


def test_a_registered_customer_absorbs_an_existing_guest_with_their_new_email(shop):
    actions.do_apply_order(shop, make_order(1, created=START, user_id=None, email="grace@example.com"), now=START)
    actions.do_apply_order(shop, make_order(2, created=START, user_id="VXNlcjo5", email="old@example.com"), now=START)
    assert Customer.objects.count() == 2

    actions.do_apply_customer(
        shop, types.Customer("VXNlcjo5", "grace@example.com", "Grace", "", True, "EN", START, START + days(1), {}), now=START
    )

    merged = Customer.objects.get()
    assert (merged.saleor_user_id, merged.email, merged.orders_count) == ("VXNlcjo5", "grace@example.com", 2)
    assert merged.stage == Stage.RETURNING


def test_deleting_a_customer_erases_personal_data_and_keeps_counts(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    actions.do_erase_customer(shop, "VXNlcjox", now=START + days(1))
    erased = customer()
    assert (erased.email, erased.first_name, erased.saleor_user_id) == ("", "", None)
    assert erased.orders_count == 1
    assert erased.erased_at is not None
    assert Order.objects.get().email == ""


def test_two_workers_never_move_a_customer_twice(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    stale_copy = customer()
    assert actions.advance_due_stages(START + days(50)) == 1
    # A second worker that read the row before the first one moved it: CAS refuses.
    config = actions.config_of(shop)
    assert actions.advance_customer(stale_copy, START + days(50), config) == 0
    assert StageTransition.objects.filter(to_stage="at_risk").count() == 1


def test_unsubscribing_for_good_sunsets_and_resubscribing_brings_them_back(shop):
    actions.do_apply_order(shop, make_order(1, created=START), now=START)
    actions.do_unsubscribe_for_good(customer(), START + days(1))
    assert customer().stage == Stage.SUNSET
    actions.do_resubscribe(customer(), START + days(2))
    assert customer().stage == Stage.NEW
