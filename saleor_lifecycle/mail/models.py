from django.db import models

from ..saleor_app.models import Installation


class MailSettings(models.Model):
    """One shop's sender, branding, language and consent rules."""

    installation = models.OneToOneField(Installation, on_delete=models.CASCADE, related_name="mail_settings")
    from_email = models.CharField(max_length=320, blank=True, help_text="empty: DEFAULT_FROM_EMAIL")
    reply_to = models.CharField(max_length=320, blank=True)
    shop_name = models.CharField(max_length=255, default="Our shop")
    logo_url = models.URLField(blank=True)
    primary_color = models.CharField(max_length=16, default="#4f46e5")
    footer_address = models.TextField(blank=True, help_text="the shop's postal address (shown in every email)")
    storefront_url = models.URLField(blank=True)
    #: where "back to your cart" links go; {storefront} and {token} are filled in
    checkout_url_pattern = models.CharField(max_length=500, default="{storefront}/checkout?checkout={token}")
    default_language = models.CharField(max_length=8, default="en")
    #: the Saleor user metadata key whose value says whether they agreed to marketing email
    consent_metadata_key = models.CharField(max_length=128, default="marketing_consent")
    #: mail customers who never said either way (off by default: only those who agreed)
    mail_without_consent = models.BooleanField(default=False)

    @classmethod
    def for_installation(cls, installation: Installation) -> "MailSettings":
        settings, _ = cls.objects.get_or_create(installation=installation)
        return settings
