import pytest
from werkzeug import Response

from saleor_lifecycle.saleor_client import (
    SaleorClient,
    SaleorPermanentError,
    SaleorRetryableError,
)
from saleor_lifecycle.saleor_client.errors import SaleorPermissionDenied


def make_client(httpserver, **kwargs) -> SaleorClient:
    delays = kwargs.pop("delays", [])
    return SaleorClient(
        httpserver.url_for("/graphql/"), "app-token", max_attempts=3, sleep=delays.append, **kwargs
    )


def test_it_sends_the_document_with_the_app_token(httpserver):
    httpserver.expect_request(
        "/graphql/", method="POST", headers={"Authorization": "Bearer app-token"}
    ).respond_with_json({"data": {"app": {"id": "QXBwOjE="}}})
    assert make_client(httpserver).execute("queries/app") == {"app": {"id": "QXBwOjE="}}
    sent = httpserver.log[0][0].get_json()
    assert sent["query"].startswith("# Confirms an app token")


def test_it_retries_5xx_and_throttling_with_backoff_then_succeeds(httpserver):
    delays: list[float] = []
    httpserver.expect_ordered_request("/graphql/").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/graphql/").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "7"})
    )
    httpserver.expect_ordered_request("/graphql/").respond_with_json({"data": {"app": {"id": "A"}}})

    assert make_client(httpserver, delays=delays).execute("queries/app") == {"app": {"id": "A"}}
    assert len(delays) == 2
    assert 0.4 <= delays[0] <= 0.6  # backoff with jitter
    assert 5.6 <= delays[1] <= 8.4  # Retry-After honoured


def test_it_raises_retryable_when_saleor_stays_down(httpserver):
    httpserver.expect_request("/graphql/").respond_with_data("down", status=502)
    with pytest.raises(SaleorRetryableError):
        make_client(httpserver).execute("queries/app")
    assert len(httpserver.log) == 3


def test_a_network_failure_is_retryable():
    client = SaleorClient("http://127.0.0.1:9/graphql/", "t", max_attempts=1, timeout=0.5)
    with pytest.raises(SaleorRetryableError):
        client.execute("queries/app")


def test_graphql_errors_are_permanent_and_not_retried(httpserver):
    httpserver.expect_request("/graphql/").respond_with_json(
        {"data": None, "errors": [{"message": "Cannot query field", "extensions": {"exception": {"code": "GraphQLError"}}}]}
    )
    with pytest.raises(SaleorPermanentError, match="Cannot query field"):
        make_client(httpserver).execute("queries/app")
    assert len(httpserver.log) == 1


def test_permission_denied_has_its_own_error(httpserver):
    httpserver.expect_request("/graphql/").respond_with_json(
        {"errors": [{"message": "You need MANAGE_USERS", "extensions": {"exception": {"code": "PermissionDenied"}}}]}
    )
    with pytest.raises(SaleorPermissionDenied):
        make_client(httpserver).execute("queries/app")


def test_a_non_graphql_answer_is_permanent(httpserver):
    httpserver.expect_request("/graphql/").respond_with_data("<html>nope</html>", status=404)
    with pytest.raises(SaleorPermanentError, match="HTTP 404"):
        make_client(httpserver).execute("queries/app")


def test_it_pages_through_a_connection_and_resumes_from_a_cursor(fake_saleor):
    for number in range(5):
        fake_saleor.add_customer(email=f"customer{number}@example.com")
    client = SaleorClient(fake_saleor.api_url, fake_saleor.app_token)

    pages = list(client.paginate("queries/customers", "customers", page_size=2))

    assert [len(page.nodes) for page in pages] == [2, 2, 1]
    assert pages[0].total_count == 5
    emails = [node["email"] for page in pages for node in page.nodes]
    assert emails == [f"customer{number}@example.com" for number in range(5)]

    resumed = client.paginate("queries/customers", "customers", page_size=2, after=pages[0].end_cursor)
    assert [node["email"] for page in resumed for node in page.nodes] == emails[2:]
