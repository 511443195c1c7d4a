import copy

import pytest

from saleor_lifecycle.scenarios.definitions import DefinitionError, parse_definition
from saleor_lifecycle.scenarios.library import ABANDONED_CART, BUILT_IN, REACTIVATION


@pytest.mark.parametrize("data", BUILT_IN, ids=[scenario["key"] for scenario in BUILT_IN])
def test_every_built_in_scenario_is_valid(data):
    definition = parse_definition(data)
    assert definition.key == data["key"]


def test_the_cart_series_reminds_at_24_48_and_72_hours_with_a_time_limited_code_last():
    cart = parse_definition(ABANDONED_CART)
    sends = [step for step in cart.steps if step.kind == "send"]
    assert [step.template for step in sends] == ["cart_reminder", "cart_reminder_pictures", "cart_last_chance"]
    assert sends[-1].offer.valid_days == 1
    assert cart.runs_alongside


def test_reactivation_has_five_messages_escalating_from_free_shipping_to_a_discount():
    reactivation = parse_definition(REACTIVATION)
    offers = [step.offer.kind for step in reactivation.steps if step.offer]
    assert len([step for step in reactivation.steps if step.kind == "send"]) == 5
    assert offers == ["free_shipping", "percentage"]


def broken(path, value):
    data = copy.deepcopy(REACTIVATION)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (broken(["trigger", "kind"], "full_moon"), "trigger.kind must be one of"),
        (broken(["trigger", "stage"], "asleep"), "trigger.stage must be one of"),
        (broken(["steps", 1, "delay"], {"weeks": 1}), "steps[1].delay: unknown duration unit"),
        (broken(["steps", 1, "delay"], {"days": -1}), "steps[1].delay: a duration must be positive"),
        (broken(["steps", 0, "template"], None), "steps[0]: a send needs a template"),
        (broken(["steps", 4, "then"], "reactivation_checkin"), "steps[4].then: links must point to a later step"),
        (broken(["steps", 4, "otherwise"], "nowhere"), "steps[4].otherwise: no step 'nowhere'"),
        (broken(["steps", 2, "offer"], {"kind": "percentage", "value": 150}), "cannot exceed 100"),
        (broken(["steps", 1, "key"], "reactivation_checkin"), "step keys must be unique"),
        (broken(["exit_when"], ["ordered", "raining"]), "exit_when: unknown"),
    ],
)
def test_an_invalid_definition_says_where_and_why(data, message):
    with pytest.raises(DefinitionError) as error:
        parse_definition(data)
    assert message in str(error.value)
