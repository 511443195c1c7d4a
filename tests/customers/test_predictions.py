"""Each customer's own reorder clock drives their at-risk moment when the model is healthy."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.core.management import call_command

from saleor_lifecycle.customers import actions, recompute
from saleor_lifecycle.customers.explain import explain_stage
from saleor_lifecycle.customers.models import Customer, LifecycleSettings, PredictionFit
from saleor_lifecycle.customers.predictions import refit
from saleor_lifecycle.customers.stages import Stage, decide_stage

from .conftest import START, days, make_order

NOW = START + days(400)


def shop_of(shop, customers: int, seed: int = 3) -> None:
    """Customers with their own buying rates: weekly, monthly, quarterly, one-off."""
    rng = np.random.default_rng(seed)
    rows = []
    for number in range(customers):
        rate = rng.choice([1 / 7, 1 / 30, 1 / 90, 1 / 400])
        first = NOW - days(float(rng.uniform(60, 360)))
        times = [first]
        while rng.random() > 0.05:  # each purchase, a 5 % chance they drop out
            gap = rng.exponential(1 / rate)
            if times[-1] + days(gap) > NOW:
                break
            times.append(times[-1] + days(gap))
        basket = rng.gamma(4, 15)  # each customer has their own typical basket
        spent = sum(rng.gamma(6, basket / 6) for _ in times)
        rows.append(
            Customer(
                installation=shop, email=f"c{number}@x.com", stage_since=first, orders_count=len(times),
                first_order_at=times[0], last_order_at=times[-1], total_spent=Decimal(f"{spent:.2f}"),
            )
        )
    Customer.objects.bulk_create(rows)


def test_with_too_few_repeat_buyers_the_shop_interval_applies_and_the_fit_says_why(shop):
    shop_of(shop, 60)
    fit = refit(shop, NOW)
    assert not fit.healthy
    assert "not enough data" in fit.problems[0] and "shop-wide reorder interval" in fit.problems[0]
    assert not Customer.objects.exclude(personal_at_risk_at=None).exists()
    assert explain_stage(Customer.objects.first(), NOW)["clock"].startswith("shop-wide")


def test_a_healthy_fit_gives_each_customer_their_own_clock(shop):
    shop_of(shop, 1200)
    fit = refit(shop, NOW)
    assert fit.healthy, fit.problems
    assert set(fit.purchase_params) == {"r", "alpha", "a", "b"}
    assert PredictionFit.objects.count() == 1

    scored = Customer.objects.exclude(personal_at_risk_at=None)
    assert scored.count() > 1000
    frequent = scored.filter(orders_count__gte=8).order_by("-orders_count").first()
    assert 0 <= frequent.p_alive <= 1 and frequent.expected_orders_90 > 0 and frequent.clv is not None
    # A frequent buyer's clock runs out long before the shop-wide 45 days.
    assert frequent.personal_at_risk_at - frequent.last_order_at < timedelta(days=45)
    explained = explain_stage(frequent, NOW)
    assert explained["clock"].startswith("personal")
    assert explained["predictions"]["p_alive"] == frequent.p_alive


def test_a_new_order_rescores_the_customer_at_once(shop):
    shop_of(shop, 1200)
    refit(shop, NOW)
    customer = Customer.objects.exclude(personal_at_risk_at=None).filter(orders_count__gte=3).first()
    customer.saleor_user_id, customer.email = "VXNlcjox", "ada@example.com"
    customer.save()
    later = NOW + days(3)

    actions.do_apply_order(shop, make_order(1, created=later, user_id="VXNlcjox"), now=later)

    customer.refresh_from_db()
    assert customer.scored_at == later
    assert customer.personal_at_risk_at >= later  # their clock restarts from the new order
    assert customer.stage in (Stage.NEW, Stage.RETURNING)
    assert customer.stage_due_at == min(customer.personal_at_risk_at, later + days(100))


def test_the_sql_recompute_agrees_with_the_rules_on_personal_clocks(shop):
    shop_of(shop, 300)
    rng = np.random.default_rng(1)
    for customer in Customer.objects.all():
        offset = float(rng.uniform(-30, 120))
        customer.personal_at_risk_at = customer.last_order_at + days(offset) if offset < 100 else None
        customer.save()
    config = LifecycleSettings.for_installation(shop).stage_config()
    recompute.recompute_stages(shop, NOW)
    for customer in Customer.objects.all():
        decision = decide_stage(actions.facts_of(customer), NOW, config)
        assert (customer.stage, customer.stage_due_at) == (decision.stage, decision.due_at), customer.pk


def test_the_calibration_table_compares_predicted_and_actual_orders(shop, capsys):
    for user in range(250):
        for index in range(3):
            actions.do_apply_order(
                shop,
                make_order(user * 10 + index, created=NOW - days(300 - 40 * index - user % 30), user_id=f"u{user}", email=f"u{user}@x.com"),
                now=NOW,
            )
    call_command("predictions", "--calibrate", "120")
    output = capsys.readouterr().out
    assert "predicted vs actual" in output
    assert "2" in output.split("repeat orders", 1)[1]


def test_a_shop_can_turn_personal_clocks_off(shop):
    shop_of(shop, 1200)
    LifecycleSettings.objects.update_or_create(installation=shop, defaults={"use_predictions": False})
    fit = refit(shop, NOW)
    assert not fit.healthy and "the shop turned personal clocks off" in fit.problems
    assert not Customer.objects.exclude(personal_at_risk_at=None).exists()
