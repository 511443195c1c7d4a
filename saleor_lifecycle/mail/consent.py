"""Who may be mailed. Marketing needs consent; nothing goes to a suppressed address or to a
customer whose messages staff paused."""

from datetime import datetime

from ..customers.models import Customer
from ..customers.stages import Stage
from .models import MailSettings

YES = {"true", "yes", "y", "1", "on", "opt-in", "opted_in", "subscribed", "granted"}
NO = {"false", "no", "n", "0", "off", "opt-out", "opted_out", "unsubscribed", "denied"}


def consent_from_metadata(metadata: dict[str, str], key: str) -> bool | None:
    value = (metadata.get(key) or "").strip().lower()
    return True if value in YES else False if value in NO else None


def apply_saleor_consent(customer: Customer, settings: MailSettings, now: datetime) -> bool:
    """Take consent from the Saleor metadata key when it says yes or no; return if changed."""
    consent = consent_from_metadata(customer.saleor_metadata, settings.consent_metadata_key)
    if consent is None or consent == customer.marketing_consent:
        return False
    Customer.objects.filter(pk=customer.pk).update(marketing_consent=consent, consent_updated_at=now)
    customer.marketing_consent, customer.consent_updated_at = consent, now
    return True


def why_not_mail(customer: Customer, settings: MailSettings, *, marketing: bool) -> str | None:
    """The reason this customer must not get this email, or None when they may."""
    if not customer.email:
        return "no email address"
    if customer.suppressed_at:
        return f"address suppressed ({customer.suppression_reason or 'bounced'})"
    if customer.messages_paused_at:
        # Staff paused them: nothing at all, not even non-marketing steps (see
        # customers.actions.do_set_messages_paused).
        return "messages paused"
    if not marketing:
        return None
    if customer.unsubscribed_at:
        return "unsubscribed"
    if customer.stage == Stage.SUNSET:
        return "sunset: kept, not mailed"
    if customer.marketing_consent is False:
        return "no marketing consent"
    if customer.marketing_consent is None and not settings.mail_without_consent:
        return "marketing consent not given"
    return None
