"""The dashboard reads a shop's customers by stage and segment, pages through them and explains one."""

import pytest
import time_machine

from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer, CustomerRFM

from .conftest import NOW, buy, register_customer

COUNTS = "{ stageCounts { stage count } segmentCounts { segment count } }"
LIST = """
query($stage: LifecycleStage, $segment: RfmSegment, $search: String, $sortBy: CustomerSortingInput,
      $first: Int, $after: String, $last: Int, $before: String) {
  customers(stage: $stage, segment: $segment, search: $search, sortBy: $sortBy,
            first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { email stage } }
  }
}
"""
PROFILE = """
query($id: ID, $saleorUserId: ID, $email: String) {
  customer(id: $id, saleorUserId: $saleorUserId, email: $email) {
    id saleorUserId email firstName stage stageSince nextStageAt ordersCount totalSpent
    firstOrderAt lastOrderAt nextBestAction offers { code }
    rfm { recency frequency monetary segment }
    history { fromStage toStage at reason }
    explain {
      reason upToDate
      facts { ordersCounted ordersNotCounted firstOrderAt lastOrderAt totalSpent unsubscribedAt }
      rule { reorderIntervalDays intervalSource atRiskAfterDays lapsedAfterDays sunsetAfterDays }
      thresholds { atRiskAt lapsedAt sunsetAt }
      nextStage { stage at }
    }
  }
}
"""


def emails(answer) -> list[str]:
    return [edge["node"]["email"] for edge in answer.data["customers"]["edges"]]


@pytest.fixture
def shop(fake_saleor, installation):
    """Ada (at risk, 2 orders), Grace (new), Linus (lapsed), a guest (new) and a prospect."""
    with time_machine.travel(NOW, tick=False):
        ada = fake_saleor.add_customer(email="ada@example.com", firstName="Ada", lastName="Lovelace")
        grace = fake_saleor.add_customer(email="grace@example.com", firstName="Grace", lastName="Hopper")
        linus = fake_saleor.add_customer(email="linus@example.com", firstName="Linus", lastName="Torvalds")
        for user in (ada, grace, linus):
            register_customer(installation, user)
        buy(installation, ada, 1, days_ago=80, total="40.00")
        buy(installation, ada, 2, days_ago=60, total="60.00")
        buy(installation, grace, 3, days_ago=5, total="250.00")
        buy(installation, linus, 4, days_ago=150, total="10.00")
        buy(installation, None, 5, days_ago=2, total="20.00", email="guest@example.com")
        Customer.objects.create(installation=installation, email="prospect@example.com", stage_since=NOW)
        actions.advance_due_stages(NOW)
        for email, (recency, frequency, monetary, segment) in {
            "ada@example.com": (3, 5, 4, "loyal"),
            "grace@example.com": (5, 1, 5, "promising"),
            "linus@example.com": (1, 1, 1, "lost"),
        }.items():
            CustomerRFM.objects.create(
                customer=Customer.objects.get(email=email), installation=installation,
                recency=recency, frequency=frequency, monetary=monetary, segment=segment,
            )
    return {"ada": ada, "grace": grace, "linus": linus}


def test_it_counts_customers_by_stage_and_segment(graphql, staff_token, shop):
    answer = graphql(COUNTS, token=staff_token)

    assert answer.data["stageCounts"] == [
        {"stage": "PROSPECT", "count": 1},
        {"stage": "NEW", "count": 2},
        {"stage": "RETURNING", "count": 0},
        {"stage": "AT_RISK", "count": 1},
        {"stage": "LAPSED", "count": 1},
        {"stage": "SUNSET", "count": 0},
    ]
    assert {"segment": "LOYAL", "count": 1} in answer.data["segmentCounts"]
    assert {"segment": "CHAMPIONS", "count": 0} in answer.data["segmentCounts"]
    assert len(answer.data["segmentCounts"]) == 9


def test_it_leaves_erased_customers_out(graphql, staff_token, shop, installation):
    actions.do_erase_customer(installation, shop["linus"]["id"], now=NOW)

    counts = graphql(COUNTS, token=staff_token)
    listed = graphql(LIST, {"first": 10}, token=staff_token)

    assert {"stage": "LAPSED", "count": 0} in counts.data["stageCounts"]
    assert listed.data["customers"]["totalCount"] == 4


def test_it_lists_customers_of_a_stage(graphql, staff_token, shop):
    answer = graphql(LIST, {"stage": "NEW", "first": 10}, token=staff_token)

    assert emails(answer) == ["grace@example.com", "guest@example.com"]
    assert answer.data["customers"]["totalCount"] == 2


def test_it_lists_customers_of_a_segment(graphql, staff_token, shop):
    answer = graphql(LIST, {"segment": "LOYAL", "first": 10}, token=staff_token)

    assert emails(answer) == ["ada@example.com"]


def test_it_searches_emails_and_names(graphql, staff_token, shop):
    assert emails(graphql(LIST, {"search": "hopper", "first": 10}, token=staff_token)) == ["grace@example.com"]
    assert emails(graphql(LIST, {"search": "ada lovelace", "first": 10}, token=staff_token)) == ["ada@example.com"]
    assert emails(graphql(LIST, {"search": "ada hopper", "first": 10}, token=staff_token)) == []


@pytest.mark.parametrize(
    ("sort_by", "expected"),
    [
        ({"field": "EMAIL", "direction": "DESC"}, ["prospect", "linus", "guest", "grace", "ada"]),
        ({"field": "TOTAL_SPENT", "direction": "DESC"}, ["grace", "ada", "guest", "linus", "prospect"]),
        ({"field": "ORDERS_COUNT", "direction": "DESC"}, ["ada", "guest", "linus", "grace", "prospect"]),
        ({"field": "LAST_ORDER_AT", "direction": "DESC"}, ["guest", "grace", "ada", "linus", "prospect"]),
        ({"field": "LAST_ORDER_AT", "direction": "ASC"}, ["prospect", "linus", "ada", "grace", "guest"]),
        ({"field": "FIRST_ORDER_AT", "direction": "ASC"}, ["prospect", "linus", "ada", "grace", "guest"]),
    ],
)
def test_it_sorts_customers(graphql, staff_token, shop, sort_by, expected):
    answer = graphql(LIST, {"sortBy": sort_by, "first": 10}, token=staff_token)

    assert emails(answer) == [f"{name}@example.com" for name in expected]


@pytest.mark.parametrize("field", ["EMAIL", "TOTAL_SPENT", "LAST_ORDER_AT", "STAGE_SINCE", "ORDERS_COUNT"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_it_pages_forwards_and_backwards_through_every_sort_order(graphql, staff_token, shop, field, direction):
    sort_by = {"field": field, "direction": direction}
    everyone = emails(graphql(LIST, {"sortBy": sort_by, "first": 10}, token=staff_token))

    seen, after = [], None
    while True:
        page = graphql(LIST, {"sortBy": sort_by, "first": 2, "after": after}, token=staff_token).data["customers"]
        seen += [edge["node"]["email"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    back, before = [], None
    while True:
        page = graphql(LIST, {"sortBy": sort_by, "last": 2, "before": before}, token=staff_token).data["customers"]
        back = [edge["node"]["email"] for edge in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]

    assert len(everyone) == 5
    assert seen == everyone
    assert back == everyone


def test_it_refuses_a_cursor_of_another_sort_order(graphql, staff_token, shop):
    page = graphql(LIST, {"first": 2}, token=staff_token).data["customers"]

    answer = graphql(
        LIST,
        {"first": 2, "after": page["pageInfo"]["endCursor"], "sortBy": {"field": "TOTAL_SPENT", "direction": "ASC"}},
        token=staff_token,
    )

    assert answer.data == {"customers": None}
    assert answer.errors[0]["message"] == "Received cursor is invalid."
    assert answer.errors[0]["extensions"] == {"exception": {"code": "GraphQLError"}, "code": "BAD_USER_INPUT"}


@pytest.mark.parametrize("cursor", ["", "garbage", "WzEsMiwzXQ", "WyJlbWFpbDphc2MiLCJhIiwtMV0"])
def test_it_refuses_a_forged_cursor(graphql, staff_token, shop, cursor):
    answer = graphql(LIST, {"first": 2, "after": cursor or "=="}, token=staff_token)

    assert answer.data == {"customers": None}
    assert answer.errors[0]["message"] == "Received cursor is invalid."


@time_machine.travel(NOW, tick=False)
def test_it_shows_a_customers_profile_with_the_explanation(graphql, fake_saleor, staff_token, shop):
    answer = graphql(PROFILE, {"saleorUserId": shop["ada"]["id"]}, token=staff_token)

    customer = answer.data["customer"]
    assert customer["email"] == "ada@example.com"
    assert customer["firstName"] == "Ada"
    assert customer["stage"] == "AT_RISK"
    assert customer["ordersCount"] == 2
    assert customer["totalSpent"] == 100.0
    assert customer["firstOrderAt"].startswith("2025-12-11")
    assert customer["lastOrderAt"].startswith("2025-12-31")
    assert customer["nextStageAt"].startswith("2026-04-10")
    assert customer["nextBestAction"] == "retention_offer"
    assert customer["offers"] == []
    assert customer["rfm"] == {"recency": 3, "frequency": 5, "monetary": 4, "segment": "LOYAL"}
    assert [(h["fromStage"], h["toStage"]) for h in customer["history"]] == [
        (None, "PROSPECT"),
        ("PROSPECT", "NEW"),
        ("NEW", "RETURNING"),
        ("RETURNING", "AT_RISK"),
    ]
    explain = customer["explain"]
    assert explain["upToDate"] is True
    assert explain["reason"] == "no order for the retention window"
    assert explain["facts"]["ordersCounted"] == 2
    assert explain["facts"]["totalSpent"] == 100.0
    assert explain["rule"] == {
        "reorderIntervalDays": 50.0,
        "intervalSource": "default",
        "atRiskAfterDays": 45.0,
        "lapsedAfterDays": 100.0,
        "sunsetAfterDays": 465.0,
    }
    assert explain["nextStage"]["stage"] == "LAPSED"
    assert explain["nextStage"]["at"] == customer["nextStageAt"]
    assert explain["thresholds"]["lapsedAt"] == customer["nextStageAt"]


def test_it_finds_a_customer_by_id_and_by_email(graphql, staff_token, shop):
    by_email = graphql(PROFILE, {"email": "Grace@Example.com"}, token=staff_token).data["customer"]
    by_id = graphql(PROFILE, {"id": by_email["id"]}, token=staff_token).data["customer"]

    assert by_id == by_email
    assert by_id["saleorUserId"] == shop["grace"]["id"]


def test_it_wants_exactly_one_way_to_find_a_customer(graphql, staff_token, shop):
    answer = graphql(PROFILE, {"email": "ada@example.com", "saleorUserId": shop["ada"]["id"]}, token=staff_token)

    assert answer.data == {"customer": None}
    assert answer.errors[0]["message"] == "Provide exactly one of `id`, `saleorUserId` or `email`."


def test_it_refuses_an_id_that_is_not_a_customers(graphql, staff_token, shop):
    answer = graphql(PROFILE, {"id": shop["ada"]["id"]}, token=staff_token)  # a Saleor User id

    assert answer.errors[0]["message"] == f"Couldn't resolve id: {shop['ada']['id']}."


def test_it_refuses_staff_without_manage_users(graphql, fake_saleor, shop):
    token = fake_saleor.issue_thirdparty_token(user_permissions=["MANAGE_ORDERS", "MANAGE_DISCOUNTS"])

    answer = graphql(COUNTS + " ", token=token)
    listed = graphql(LIST, {"first": 10}, token=token)
    profile = graphql(PROFILE, {"email": "ada@example.com"}, token=token)

    assert answer.data is None
    assert set(answer.error_codes) == {"PermissionDenied"}
    assert answer.errors[0]["message"] == "To access this path, you need one of the following permissions: MANAGE_USERS"
    assert listed.data == {"customers": None} and listed.error_codes == ["PermissionDenied"]
    assert profile.data == {"customer": None} and profile.error_codes == ["PermissionDenied"]
    assert "ada@example.com" not in str(profile.body) + str(listed.body)


def test_it_refuses_anonymous_callers(graphql, shop):
    answer = graphql(LIST, {"first": 10})

    assert answer.data == {"customers": None}
    assert answer.error_codes == ["PermissionDenied"]


def test_it_never_shows_another_shops_customers(graphql, fake_saleor, staff_token, shop, other_shop):
    theirs = other_shop.add_customer(email="mallory@example.com")
    buy(other_shop.installation, theirs, 99, days_ago=1)
    their_id = Customer.objects.get(email="mallory@example.com")
    from saleor_lifecycle.api.customers import customer_global_id

    listed = graphql(LIST, {"first": 100}, token=staff_token)
    by_id = graphql(PROFILE, {"id": customer_global_id(their_id)}, token=staff_token)
    by_email = graphql(PROFILE, {"email": "mallory@example.com"}, token=staff_token)
    theirs_listed = graphql(LIST, {"first": 100}, token=other_shop.issue_thirdparty_token())

    assert "mallory@example.com" not in emails(listed)
    assert by_id.data == {"customer": None}
    assert by_email.data == {"customer": None}
    assert emails(theirs_listed) == ["mallory@example.com"]
