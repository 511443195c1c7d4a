"""The endpoint itself: GraphiQL only in DEBUG, JSON errors for what cannot run, no CSRF."""

from django.test import Client


def test_it_serves_graphiql_only_in_debug(client, installation, settings):
    settings.DEBUG = False
    assert client.get("/graphql/", headers={"Accept": "text/html"}).status_code == 400

    settings.DEBUG = True
    response = client.get("/graphql/", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert b"graphiql" in response.content.lower()


def test_it_answers_queries_over_get(client, installation):
    response = client.get("/graphql/", {"query": "{ me { stage } }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


def test_it_refuses_mutations_over_get(client, installation):
    response = client.get("/graphql/", {"query": "mutation { updateLifecycleSettings(input: {}) { errors { code } } }"})

    assert response.status_code == 405


def test_it_needs_no_csrf_token(installation):
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/graphql/", {"query": "{ __typename }"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


def test_it_explains_a_request_it_cannot_run(client, installation):
    bad_json = client.post("/graphql/", "{not json", content_type="application/json")
    no_query = client.post("/graphql/", {}, content_type="application/json")
    bad_variables = client.post(
        "/graphql/", {"query": "{ __typename }", "variables": [1]}, content_type="application/json"
    )
    syntax = client.post("/graphql/", {"query": "{ me { "}, content_type="application/json")

    assert bad_json.status_code == 400 and bad_json.json()["errors"][0]["message"] == "POST body sent invalid JSON."
    assert no_query.status_code == 400 and no_query.json()["errors"][0]["message"] == "Must provide query string."
    assert bad_variables.status_code == 400 and "Variables must be a JSON object" in str(bad_variables.json())
    assert syntax.status_code == 400 and syntax.json()["errors"][0]["message"].startswith("Syntax Error")


def test_it_hides_a_resolvers_crash_and_logs_it(graphql, fake_saleor, installation, monkeypatch, caplog, settings):
    from saleor_lifecycle.api import customers

    settings.DEBUG = False

    def crash(installation):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(customers, "stage_counts", crash)

    answer = graphql("{ stageCounts { count } }", token=fake_saleor.app_token)

    assert answer.status == 200
    assert answer.errors[0]["message"] == "Internal Server Error"
    assert answer.errors[0]["extensions"] == {
        "exception": {"code": "InternalServerError"},
        "code": "INTERNAL_SERVER_ERROR",
    }
    assert "secret internals" not in str(answer.body)
    assert "secret internals" in caplog.text
