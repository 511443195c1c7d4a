from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "saleor_lifecycle.offers"
    label = "offers"
    verbose_name = "Offers (voucher codes)"
