import pytest
from cryptography.fernet import Fernet

from saleor_lifecycle.core import crypto
from saleor_lifecycle.saleor_app.models import Installation


def test_it_round_trips_with_the_key_derived_from_secret_key(settings):
    settings.ENCRYPTION_KEYS = []
    assert crypto.decrypt(crypto.encrypt("token-123")) == "token-123"


def test_it_decrypts_with_older_keys_after_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [old]
    ciphertext = crypto.encrypt("token-123")
    settings.ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(ciphertext) == "token-123"
    settings.ENCRYPTION_KEYS = [new]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext)


@pytest.mark.django_db
def test_it_never_stores_the_app_token_in_clear():
    installation = Installation(saleor_api_url="https://shop.example.com/graphql/", saleor_domain="shop.example.com")
    installation.token = "secret-app-token"
    installation.save()
    stored = Installation.objects.values_list("encrypted_token", flat=True).get()
    assert "secret-app-token" not in stored
    assert Installation.objects.get().token == "secret-app-token"
