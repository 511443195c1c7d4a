"""Products to suggest to a customer: bought together with theirs, never what they have.

1. Co-purchase: products in the shop's orders that also contain a product the customer
   bought, ranked by how many orders had both.
2. Fallback: the best sellers of the categories the customer bought from.
3. Never a product the customer already bought, never one Saleor says is not available
   in the channel (out of stock, unpublished).
"""

from django.db.models import Count, Max

from ..customers.models import Customer, OrderLine
from ..saleor_client import SaleorClient, SaleorError


def _candidates(lines, exclude: set[str], limit: int) -> list[dict]:
    ranked = (
        lines.exclude(product_id__in=exclude)
        .exclude(product_id="")
        .values("product_id")
        .annotate(
            orders=Count("order", distinct=True),
            product_name=Max("product_name"),
            product_slug=Max("product_slug"),
            thumbnail_url=Max("thumbnail_url"),
            price=Max("unit_price"),
        )
        .order_by("-orders", "product_id")
    )
    return list(ranked[:limit])


def recommend(customer: Customer, *, limit: int = 3, channel: str = "default-channel", client: SaleorClient | None = None) -> list[dict]:
    shop_lines = OrderLine.objects.filter(order__installation=customer.installation, order__counts=True)
    mine = shop_lines.filter(order__customer=customer)
    bought = set(mine.values_list("product_id", flat=True)) - {""}
    if not bought:
        return []
    together = shop_lines.filter(order__lines__product_id__in=bought)
    pool = _candidates(together, bought, limit * 3)
    if len(pool) < limit * 3:
        categories = set(mine.values_list("category_id", flat=True)) - {""}
        seen = bought | {item["product_id"] for item in pool}
        pool += _candidates(shop_lines.filter(category_id__in=categories), seen, limit * 3 - len(pool))
    available = _available(customer, [item["product_id"] for item in pool], channel, client)
    return [item for item in pool if item["product_id"] in available][:limit]


def _available(customer: Customer, product_ids: list[str], channel: str, client: SaleorClient | None) -> set[str]:
    """The ids Saleor says can be bought now; when Saleor cannot be asked, recommend nothing."""
    if not product_ids:
        return set()
    client = client or SaleorClient.for_installation(customer.installation)
    try:
        data = client.execute("queries/products_availability", {"ids": product_ids, "channel": channel})
    except SaleorError:
        return set()
    return {
        edge["node"]["id"]
        for edge in (data.get("products") or {}).get("edges", [])
        if edge["node"].get("isAvailable") and edge["node"].get("isAvailableForPurchase") is not False
    }
