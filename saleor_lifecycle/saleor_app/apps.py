from django.apps import AppConfig


class SaleorAppConfig(AppConfig):
    name = "saleor_lifecycle.saleor_app"
    label = "saleor_app"
    verbose_name = "Saleor installations"
