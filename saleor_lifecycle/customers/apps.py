from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "saleor_lifecycle.customers"
    label = "customers"
    verbose_name = "Customers and their lifecycle"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (order and customer events, installs)
