from urllib.parse import urlsplit

from django.db import models

from ..core import crypto


class InstallationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Installation(models.Model):
    """One Saleor shop that installed this app, keyed by its GraphQL API URL.

    Several shops can install one deployment. Re-installing replaces the token and
    reactivates the row; APP_DELETED deactivates it (the data stays for reports).
    """

    saleor_api_url = models.URLField(max_length=500, unique=True)
    saleor_domain = models.CharField(max_length=255)
    #: the app's id in that Saleor (graphene global id), confirmed with the token
    app_id = models.CharField(max_length=255, blank=True)
    #: the app token, Fernet-encrypted; read and write it through ``token``
    encrypted_token = models.TextField()
    #: cached JSON Web Key Set that verifies this Saleor's signatures
    jwks = models.JSONField(default=dict, blank=True)
    jwks_fetched_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    installed_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InstallationQuerySet.as_manager()

    def __str__(self) -> str:
        return self.saleor_api_url

    @property
    def token(self) -> str:
        return crypto.decrypt(self.encrypted_token)

    @token.setter
    def token(self, value: str) -> None:
        self.encrypted_token = crypto.encrypt(value)

    @property
    def jwks_url(self) -> str:
        return jwks_url_for(self.saleor_api_url)


def jwks_url_for(saleor_api_url: str) -> str:
    """Saleor publishes its signing keys at the API origin's ``/.well-known/jwks.json``."""
    parts = urlsplit(saleor_api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"
