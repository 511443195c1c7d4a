from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    name = "saleor_lifecycle.scenarios"
    label = "scenarios"
    verbose_name = "Scenarios"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (stage changes and orders enroll and exit)
