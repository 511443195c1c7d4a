"""/app/ and every address below it answer the dashboard extension's built index.html."""

import pytest


@pytest.fixture
def built(settings, tmp_path):
    """A stand-in for dashboard_extension/dist, as Vite writes it."""
    settings.DASHBOARD_EXTENSION_DIST = tmp_path
    (tmp_path / "index.html").write_text(
        '<meta name="lifecycle-graphql-url" content="__LIFECYCLE_GRAPHQL_URL__" />'
        '<meta name="lifecycle-app-base" content="__LIFECYCLE_APP_BASE__" />'
        '<script type="module" src="/static/dashboard/assets/index-abcd1234.js"></script>'
    )
    (tmp_path / "assets").mkdir()
    return tmp_path


@pytest.mark.parametrize("path", ["/app/", "/app/scenarios/abandoned_cart", "/app/widgets/customer?customerId=VXNlcjox"])
def test_it_serves_the_built_page_for_every_app_address(client, built, path):
    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'content="/graphql/"' in html and 'content="/app/"' in html
    assert 'src="/static/dashboard/assets/index-abcd1234.js"' in html
    assert response["Cache-Control"] == "no-cache"


def test_it_may_be_framed_by_the_dashboard(client, built):
    assert "X-Frame-Options" not in client.get("/app/")


def test_it_points_the_assets_at_static_url(client, built, settings):
    settings.STATIC_URL = "https://cdn.example.com/lifecycle/"

    html = client.get("/app/").content.decode()

    assert 'src="https://cdn.example.com/lifecycle/dashboard/assets/index-abcd1234.js"' in html


def test_it_picks_up_a_rebuild(client, built):
    client.get("/app/")
    index = built / "index.html"
    index.write_text("<p>rebuilt</p>")
    import os

    os.utime(index, ns=(1, 1))  # a different mtime than the first build's

    assert client.get("/app/").content == b"<p>rebuilt</p>"


def test_it_says_how_to_build_when_nothing_is_built(client, settings, tmp_path):
    settings.DASHBOARD_EXTENSION_DIST = tmp_path / "missing"

    response = client.get("/app/")

    assert response.status_code == 503
    assert b"bin/build-extension" in response.content


def test_it_refuses_writes(client, built):
    assert client.post("/app/").status_code == 405
