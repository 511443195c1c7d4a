from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "saleor_lifecycle.events"
    label = "events"
    verbose_name = "Saleor webhook deliveries"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the APP_DELETED receiver)
