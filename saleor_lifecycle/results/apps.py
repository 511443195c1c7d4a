from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "saleor_lifecycle.results"
    label = "results"
    verbose_name = "Results"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (orders are attributed as they arrive)
