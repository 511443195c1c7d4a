from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "saleor_lifecycle.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (ESP tracking events, consent from Saleor metadata)
