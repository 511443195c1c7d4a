"""The stage is written into the Saleor user's metadata, and explained."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer, LifecycleSettings
from saleor_lifecycle.customers.saleor_sync import sync_stage_metadata
from saleor_lifecycle.saleor_client import SaleorClient

from .conftest import START, make_order

pytestmark = pytest.mark.django_db


def metadata(fake_customer) -> dict:
    return {item["key"]: item["value"] for item in fake_customer["metadata"]}


def test_a_transition_is_written_into_the_saleor_users_metadata(installation, fake_saleor):
    ada = fake_saleor.add_customer(email="ada@example.com")
    actions.do_apply_order(installation, make_order(1, created=START, user_id=ada["id"]), now=START)
    actions.do_apply_order(installation, make_order(2, created=START, user_id=None, email="guest@x.com"), now=START)

    client = SaleorClient.for_installation(installation)
    assert sync_stage_metadata(installation, client=client, per_second=1000) == 1

    assert metadata(ada) == {"lifecycle.stage": "new", "lifecycle.stage_since": START.isoformat()}
    assert not Customer.objects.filter(saleor_metadata_pending=True).exists()
    assert sync_stage_metadata(installation, client=client, per_second=1000) == 0  # nothing pending


def test_a_shop_can_turn_metadata_writes_off(installation, fake_saleor):
    ada = fake_saleor.add_customer(email="ada@example.com")
    LifecycleSettings.objects.update_or_create(installation=installation, defaults={"write_saleor_metadata": False})
    actions.do_apply_order(installation, make_order(1, created=START, user_id=ada["id"]), now=START)
    assert sync_stage_metadata(installation, per_second=1000) == 0
    assert metadata(ada) == {}


def test_explain_says_why_and_what_next(installation, capsys):
    actions.do_apply_order(installation, make_order(1, created=START), now=START)
    with time_machine.travel(START + timedelta(days=1), tick=False):
        call_command("explain_customer", "ada@example.com")
    explained = json.loads(capsys.readouterr().out)
    assert explained["stage"] == "new"
    assert explained["reason"] == "one order, recent"
    assert explained["rule"]["interval_source"] == "default"
    assert explained["rule"]["at_risk_after_days"] == 45
    assert explained["next"]["stage"] == "at_risk"
    assert explained["up_to_date"] is True
    assert explained["history"][0]["to"] == "new"
