"""Header names Saleor sends to apps (register calls and webhook deliveries)."""


class SaleorHeaders:
    #: lower-case event name, e.g. "order_created"
    EVENT = "Saleor-Event"
    #: host of the Saleor that sent the request, e.g. "shop.example.com"
    DOMAIN = "Saleor-Domain"
    #: the Saleor GraphQL endpoint, e.g. "https://shop.example.com/graphql/"
    API_URL = "Saleor-Api-Url"
    #: detached JWS ("<protected header>..<signature>") over the raw body
    SIGNATURE = "Saleor-Signature"
