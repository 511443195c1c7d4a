from django.core.management.base import CommandError

from ....saleor_app.models import Installation


def installations(api_url: str | None):
    """The installation(s) a command works on: one by API URL, or all active ones."""
    found = Installation.objects.active()
    if api_url:
        found = found.filter(saleor_api_url=api_url)
        if not found.exists():
            raise CommandError(f"no active installation for {api_url}")
    return found
