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
    assert [extension["identifier"] for extension in manifest["extensions"]] == [
        "lifecycle",
        "customer-lifecycle",
        "customer-lifecycle-explain",
        "lifecycle-home",
    ]


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


#: Mounts the dashboard offers (Saleor 3.22+; HOMEPAGE_WIDGETS 3.23+) and the targets it knows.
DASHBOARD_MOUNTS = {"NAVIGATION_CUSTOMERS", "CUSTOMER_DETAILS_WIDGETS", "CUSTOMER_DETAILS_MORE_ACTIONS", "HOMEPAGE_WIDGETS"}
TARGETS = {"POPUP", "APP_PAGE", "NEW_TAB", "WIDGET"}


def test_it_declares_the_extensions_the_way_saleor_validates_them(client, settings):
    settings.APP_URL = "https://lifecycle.example.com"
    manifest = client.get("/api/manifest").json()

    for extension in manifest["extensions"]:
        assert extension["label"] and extension["mount"] in DASHBOARD_MOUNTS and extension["target"] in TARGETS
        # Extension permissions must be among the app's own.
        assert set(extension["permissions"]) <= set(manifest["permissions"])
        if extension["target"] == "APP_PAGE":
            assert extension["url"].startswith("/"), "Saleor refuses an absolute APP_PAGE url"
        else:
            assert extension["url"].startswith("https://lifecycle.example.com/app/")
        if "widgetTarget" in extension.get("options", {}):
            assert extension["target"] == "WIDGET" and extension["mount"].endswith("_DETAILS_WIDGETS")
    mounts = {extension["mount"]: extension for extension in manifest["extensions"]}
    assert mounts["NAVIGATION_CUSTOMERS"]["url"] == "/"
    assert mounts["CUSTOMER_DETAILS_WIDGETS"]["url"] == "https://lifecycle.example.com/app/widgets/customer"
    assert mounts["CUSTOMER_DETAILS_MORE_ACTIONS"]["target"] == "POPUP"
    assert mounts["HOMEPAGE_WIDGETS"]["url"] == "https://lifecycle.example.com/app/widgets/home"


def test_every_extension_url_is_a_page_of_the_app(client, settings, tmp_path):
    settings.APP_URL = "http://testserver"
    settings.DASHBOARD_EXTENSION_DIST = tmp_path
    (tmp_path / "index.html").write_text('<div id="root"></div>')
    extensions = client.get("/api/manifest").json()["extensions"]

    for extension in extensions:
        url = extension["url"] if extension["url"].startswith("http") else f"http://testserver/app{extension['url']}"
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        assert "X-Frame-Options" not in response, "the dashboard shows these pages in an iframe"
