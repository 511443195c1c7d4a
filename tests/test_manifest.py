from saleor_lifecycle.events.registry import WEBHOOKS


def test_it_serves_a_manifest_saleor_accepts(client, settings):
    settings.APP_URL = "https://lifecycle.example.com"
    manifest = client.get("/api/manifest").json()

    assert manifest["id"] == settings.SALEOR_APP_ID
    assert manifest["name"] and manifest["version"] and manifest["about"]
    assert manifest["permissions"] == ["MANAGE_ORDERS", "MANAGE_CHECKOUTS", "MANAGE_USERS", "MANAGE_DISCOUNTS"]
    assert manifest["tokenTargetUrl"] == "https://lifecycle.example.com/api/register"
    assert manifest["appUrl"] == "https://lifecycle.example.com/app/"
    assert manifest["requiredSaleorVersion"] == ">=3.20"
    assert manifest["brand"]["logo"]["default"].startswith("https://lifecycle.example.com/static/")
    for key in ("dataPrivacyUrl", "homepageUrl", "supportUrl"):
        assert manifest[key].startswith("https://lifecycle.example.com/")
    assert manifest["extensions"] == []


def test_it_derives_one_webhook_per_registered_event(client, settings):
    settings.APP_URL = "https://lifecycle.example.com"
    webhooks = client.get("/api/manifest").json()["webhooks"]

    assert [hook["asyncEvents"] for hook in webhooks] == [[event] for event in WEBHOOKS]
    order_created = webhooks[0]
    assert order_created["targetUrl"] == "https://lifecycle.example.com/api/webhooks/order-created"
    assert order_created["query"].startswith("subscription OrderCreated")
    assert "fragment LifecycleOrder on Order" in order_created["query"]
    assert all(hook["isActive"] for hook in webhooks)


def test_it_builds_urls_from_the_request_host_without_app_url(client, settings):
    settings.APP_URL = ""
    manifest = client.get("/api/manifest", HTTP_HOST="lifecycle.local:8000").json()
    assert manifest["tokenTargetUrl"] == "http://lifecycle.local:8000/api/register"


def test_every_webhook_url_is_routed(client, settings):
    settings.APP_URL = "http://testserver"
    for hook in client.get("/api/manifest").json()["webhooks"]:
        # Unsigned: 401, but routed (not 404) and POST-only.
        assert client.post(hook["targetUrl"], data=b"{}", content_type="application/json").status_code == 401
        assert client.get(hook["targetUrl"]).status_code == 405


def test_the_logo_is_served(client):
    response = client.get("/static/saleor_app/logo.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
