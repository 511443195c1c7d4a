from saleor_lifecycle.customers import actions
from saleor_lifecycle.customers.models import Customer
from saleor_lifecycle.events import types
from saleor_lifecycle.mail.recommendations import recommend

from ..customers.conftest import make_order
from ..scenarios.conftest import NOW


def order_of(installation, number, user, products):
    order = make_order(number, created=NOW, user_id=f"user-{user}", email=f"u{user}@x.com")
    lines = tuple(
        types.OrderLine(f"l{number}-{p}", p.title(), "", None, 1, 10, None, f"v-{p}", p, p, category)
        for p, category in products
    )
    actions.do_apply_order(installation, types.Order(**{**order.__dict__, "lines": lines}), now=NOW)


def test_it_recommends_what_was_bought_together_never_owned_or_unavailable(installation, fake_saleor):
    # mug is often bought with tea and spoons; ada owns a mug and spoons; saucers are sold out.
    order_of(installation, 1, 1, [("mug", "kitchen"), ("tea", "food")])
    order_of(installation, 2, 2, [("mug", "kitchen"), ("tea", "food"), ("saucer", "kitchen")])
    order_of(installation, 3, 3, [("mug", "kitchen"), ("spoon", "kitchen")])
    order_of(installation, 4, 4, [("kettle", "kitchen")])
    order_of(installation, 5, 4, [("kettle", "kitchen")])
    order_of(installation, 6, 9, [("mug", "kitchen"), ("spoon", "kitchen")])
    fake_saleor.products += [
        {"id": "tea", "slug": "tea"},
        {"id": "saucer", "slug": "saucer", "isAvailable": False},
        {"id": "kettle", "slug": "kettle"},
    ]

    ada = Customer.objects.get(saleor_user_id="user-9")
    picks = [item["product_id"] for item in recommend(ada, limit=3)]

    assert picks[0] == "tea"  # bought together with a mug in two orders
    assert "kettle" in picks  # a best seller of a category ada buys from
    assert not {"mug", "spoon", "saucer"} & set(picks)


def test_a_customer_without_orders_gets_no_recommendations(installation):
    customer = Customer.objects.create(installation=installation, email="new@x.com", stage_since=NOW)
    assert recommend(customer) == []
