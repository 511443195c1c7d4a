from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saleor_lifecycle.core"
    label = "core"
