"""Codes in Saleor vouchers, redemption, attribution and cleanup, against the fake Saleor."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Order
from saleor_lifecycle.offers.cleanup import delete_expired_codes
from saleor_lifecycle.offers.issuer import ALPHABET, SaleorOfferIssuer
from saleor_lifecycle.offers.models import IssuedCode, VoucherCohort
from saleor_lifecycle.results.models import Attribution
from saleor_lifecycle.scenarios.definitions import Offer
from saleor_lifecycle.scenarios.enrollment import enroll
from saleor_lifecycle.scenarios.messages import SendError
from saleor_lifecycle.scenarios.models import Scenario, StepRun, StepRunStatus

from ..customers.conftest import make_order
from ..scenarios.conftest import NOW


@pytest.fixture
def step_run(installation):
    actions.do_apply_order(installation, make_order(1, created=NOW - timedelta(days=200)), now=NOW)
    scenario = Scenario.objects.get(installation=installation, key="reactivation")
    scenario.enabled = True
    scenario.save()
    enrollment = enroll(scenario, installation.customers.get(), entry_key="test", now=NOW)

    def make(step_key="reactivation_discount"):
        return StepRun.objects.create(
            enrollment=enrollment, customer=enrollment.customer, step_key=step_key,
            status=StepRunStatus.SENDING, started_at=NOW,
        )

    return make


def test_codes_go_into_one_voucher_per_offer_and_expiry_day_with_the_channel_value(step_run, fake_saleor):
    issuer = SaleorOfferIssuer()
    offer = Offer(kind="percentage", value=15, valid_days=7, min_order_value=50)
    first = issuer.issue(step_run("a"), offer, channel="default-channel", now=NOW)
    second = issuer.issue(step_run("b"), offer, channel="default-channel", now=NOW + timedelta(hours=1))
    other_day = issuer.issue(step_run("c"), offer, channel="default-channel", now=NOW + timedelta(days=1))

    assert first.description == "15% off"
    assert all(ch in ALPHABET for ch in first.code[3:]) and len(first.code) == 13
    [voucher, next_voucher] = fake_saleor.vouchers
    assert [c["code"] for c in voucher["codes"]] == [first.code, second.code]
    assert [c["code"] for c in next_voucher["codes"]] == [other_day.code]
    assert voucher["type"] == "ENTIRE_ORDER" and voucher["discountValueType"] == "PERCENTAGE"
    assert voucher["singleUse"] is True
    [listing] = voucher["channelListings"]
    assert listing["channel"]["slug"] == "default-channel"
    assert Decimal(str(listing["discountValue"])) == 15
    assert Decimal(str(listing["minSpent"]["amount"])) == 50
    assert VoucherCohort.objects.count() == 2


def test_a_retried_step_gets_the_same_code(step_run, fake_saleor):
    issuer = SaleorOfferIssuer()
    run = step_run()
    offer = Offer(kind="free_shipping", valid_days=7)
    first = issuer.issue(run, offer, channel="default-channel", now=NOW)
    again = issuer.issue(run, offer, channel="default-channel", now=NOW + timedelta(minutes=5))
    assert first.code == again.code
    assert IssuedCode.objects.count() == 1
    assert [c["code"] for c in fake_saleor.vouchers[0]["codes"]] == [first.code]
    assert fake_saleor.vouchers[0]["type"] == "SHIPPING"


def test_a_code_stored_before_a_crash_is_added_to_saleor_on_retry(step_run, fake_saleor):
    run = step_run()
    offer = Offer(kind="percentage", value=10, valid_days=3)
    fake_saleor.fail_next(3, status=503)  # the client's three attempts
    with pytest.raises(SendError):
        SaleorOfferIssuer().issue(run, offer, channel="default-channel", now=NOW)
    assert IssuedCode.objects.get().status == IssuedCode.Status.PENDING

    issued = SaleorOfferIssuer().issue(run, offer, channel="default-channel", now=NOW)
    assert issued.code == IssuedCode.objects.get().code
    assert fake_saleor.voucher_by_code(issued.code) is not None


def test_a_redeemed_code_attributes_its_order_and_a_cancellation_takes_it_back(installation, step_run):
    run = step_run()
    issued = SaleorOfferIssuer().issue(run, Offer(kind="percentage", value=10), channel="default-channel", now=NOW)
    StepRun.objects.filter(pk=run.pk).update(status=StepRunStatus.SENT, sent_at=NOW)

    order = make_order(2, created=NOW + timedelta(days=9), voucher_code=issued.code.lower(), total="90.00")
    actions.do_apply_order(installation, order, now=NOW + timedelta(days=9))
    from saleor_lifecycle.results.attribution import do_attribute_order

    row = Order.objects.get(saleor_id="order-2")
    attribution = do_attribute_order(row, NOW + timedelta(days=9))
    assert (attribution.via, attribution.step_run_id, attribution.revenue) == ("code", run.pk, Decimal("90.00"))
    assert IssuedCode.objects.get().redeemed_order == row

    cancelled = make_order(2, created=NOW + timedelta(days=9), status="CANCELED", updated_at=NOW + timedelta(days=10))
    actions.do_apply_order(installation, cancelled, now=NOW + timedelta(days=10))
    do_attribute_order(Order.objects.get(saleor_id="order-2"), NOW + timedelta(days=10))
    assert not Attribution.objects.exists()
    assert IssuedCode.objects.get().redeemed_order is None


def test_an_order_within_the_window_after_an_email_is_attributed_to_it(installation, step_run):
    run = step_run("reactivation_checkin")
    StepRun.objects.filter(pk=run.pk).update(status=StepRunStatus.SENT, sent_at=NOW)
    from saleor_lifecycle.results.attribution import do_attribute_order

    for number, days_after in ((2, 4), (3, 6)):
        actions.do_apply_order(installation, make_order(number, created=NOW + timedelta(days=days_after)), now=NOW)
    within = do_attribute_order(Order.objects.get(saleor_id="order-2"), NOW)
    outside = do_attribute_order(Order.objects.get(saleor_id="order-3"), NOW)

    assert (within.via, within.step_run_id) == ("window", run.pk)
    assert outside is None  # 6 days after: past the 5-day window


def test_expired_unused_codes_and_their_empty_voucher_are_deleted(installation, step_run, fake_saleor):
    issuer = SaleorOfferIssuer()
    offer = Offer(kind="percentage", value=10, valid_days=1)
    unused = issuer.issue(step_run("a"), offer, channel="default-channel", now=NOW)
    used = issuer.issue(step_run("b"), offer, channel="default-channel", now=NOW)
    fake_saleor.voucher_by_code(used.code)["codes"][1]["used"] = 1
    IssuedCode.objects.filter(code=used.code).update(redeemed_order=Order.objects.first())

    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        assert delete_expired_codes(installation, NOW + timedelta(days=3)) == 1

    assert [c["code"] for c in fake_saleor.vouchers[0]["codes"]] == [used.code]  # the used one stays
    assert IssuedCode.objects.get(code=unused.code).status == IssuedCode.Status.DELETED

    # Once nothing of ours is left in it, the expired voucher goes too.
    fake_saleor.vouchers[0]["codes"] = []
    IssuedCode.objects.filter(code=used.code).update(redeemed_order=None)
    delete_expired_codes(installation, NOW + timedelta(days=3))
    assert fake_saleor.vouchers == []
