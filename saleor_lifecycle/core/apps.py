from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saleor_lifecycle.core"
    label = "core"

    def ready(self) -> None:
        from . import postgresql  # noqa: F401  (new connections' setup)
