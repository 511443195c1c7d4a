"""Properties of the projections: delivery order and duplicates do not matter, and the
incremental path agrees with a full set-based recompute."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_lifecycle.customers import actions, recompute
from saleor_lifecycle.customers.models import Customer, Order
from saleor_lifecycle.customers.stages import CustomerFacts, StageConfig, decide_stage

from .conftest import START, days, make_order

STATUSES = ["UNFULFILLED", "FULFILLED", "CANCELED", "RETURNED", "UNCONFIRMED"]

# An order's life: several payloads (versions) of the same order.
order_versions = st.builds(
    lambda number, user, created_day, versions: [
        make_order(
            number,
            user_id=f"user-{user}",
            email=f"user{user}@example.com",
            created=START + days(created_day),
            updated_at=START + days(created_day) + timedelta(hours=hours),
            status=status,
            refunded=refunded,
        )
        for hours, status, refunded in versions
    ],
    number=st.integers(1, 6),
    user=st.integers(1, 3),
    created_day=st.integers(0, 400),
    versions=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(STATUSES), st.sampled_from(["0", "100.00"])),
        min_size=1,
        max_size=3,
    ),
)
deliveries = st.lists(order_versions, min_size=1, max_size=6).map(
    # One creation day per order number, as in Saleor.
    lambda lives: list({life[0].id: life for life in lives}.values())
)

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def projection() -> list[tuple]:
    orders = sorted(Order.objects.values_list("saleor_id", "status", "refunded", "counts", "customer__email"))
    customers = sorted(
        Customer.objects.values_list("email", "orders_count", "last_order_at", "total_spent", "stage", "stage_due_at")
    )
    return orders + customers


def reset():
    Order.objects.all().delete()
    Customer.objects.all().delete()


@SETTINGS
@given(lives=deliveries, data=st.data())
def test_any_delivery_order_with_duplicates_gives_the_in_order_projection(shop, lives, data):
    now = START + days(500)
    in_order = sorted((payload for life in lives for payload in life), key=lambda o: (o.updated_at, o.status))
    reset()
    for payload in in_order:
        actions.do_apply_order(shop, payload, now=now)
    expected = projection()

    shuffled = data.draw(st.permutations(in_order + data.draw(st.lists(st.sampled_from(in_order), max_size=5))))
    reset()
    for payload in shuffled:
        actions.do_apply_order(shop, payload, now=now)

    assert projection() == expected


@SETTINGS
@given(lives=deliveries, elapsed=st.integers(0, 1200))
def test_the_incremental_path_agrees_with_a_full_recompute(shop, lives, elapsed):
    reset()
    payloads = sorted((payload for life in lives for payload in life), key=lambda o: o.updated_at)
    for payload in payloads:
        actions.do_apply_order(shop, payload, now=payload.updated_at)
    now = payloads[-1].updated_at + days(elapsed)  # time only moves forward
    actions.advance_due_stages(now)
    incremental = projection()

    assert recompute.recompute_installation(shop, now) == 0
    assert projection() == incremental


@given(
    orders=st.integers(0, 5),
    last_day=st.integers(0, 1000),
    now_day=st.integers(0, 2000),
    interval=st.floats(1, 400),
)
def test_stage_is_a_pure_function_of_orders_now_and_config(orders, last_day, now_day, interval):
    config = StageConfig(reorder_interval_days=interval)
    facts = CustomerFacts(orders, START + days(last_day) if orders else None)
    now = START + days(now_day)
    decision = decide_stage(facts, now, config)
    assert decision == decide_stage(facts, now, config)
    if decision.due_at is not None:
        assert decision.due_at > now or now < facts.last_order_at
        assert decide_stage(facts, decision.due_at, config).stage == decision.next_stage
