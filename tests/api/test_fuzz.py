"""Schemathesis fuzzes every query and mutation with valid staff credentials: no server error.

Queries are generated from the schema by hypothesis-graphql, sent to the app in process
(WSGI) with a dashboard token carrying MANAGE_USERS and MANAGE_DISCOUNTS (every field and
mutation, offers of scenarios included), and checked with
schemathesis's ``not_a_server_error``: no 5xx, and no GraphQL error the server labels as
its own failure (``INTERNAL_SERVER_ERROR``, which ``errors.format_error`` puts on any
exception a resolver did not raise on purpose). Refusals of bad input (page sizes,
cursors, limits) are labelled ``BAD_USER_INPUT`` or fail validation, so they count as the
client's errors, as they are.
"""

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error

from saleor_lifecycle.api.models import StorefrontAccess
from saleor_lifecycle.config.wsgi import application

from .conftest import buy, register_customer

#: Examples per root field, about 250 requests in all: 10-25 s in process.
EXAMPLES_PER_FIELD = 20
#: The connection has the most arguments (filters, sorting, cursors, page sizes): more examples;
#: so has a scenario's edit (steps, offers).
EXAMPLES = {"Query.customers": 80, "Query.customer": 40, "Mutation.scenarioUpdate": 40}


@pytest.fixture
def shop(fake_saleor, installation):
    StorefrontAccess.objects.create(installation=installation, allowed_origins=["https://shop.example.com"])
    for number in range(1, 6):
        user = fake_saleor.add_customer()
        register_customer(installation, user)
        buy(installation, user, number, days_ago=10 * number, total=f"{20 * number}.00")
    buy(installation, None, 99, days_ago=400)


@pytest.fixture
def app():
    """The WSGI application, keeping the test's database connection across requests.

    Django closes "old" connections when a request starts and ends; inside the test's
    transaction that would close it for real on PostgreSQL. Django's test client
    disconnects the same handlers.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_it_finds_no_server_error(shop, fake_saleor, app):
    schema = schemathesis.graphql.from_wsgi("/graphql/", app)
    # The dashboard's token of a staff user who may do everything this API offers.
    token = fake_saleor.issue_thirdparty_token(
        user_permissions=["MANAGE_USERS", "MANAGE_DISCOUNTS"], exp=int(time.time()) + 3600
    )
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {operation.label for operation in operations} >= {"Query.customers", "Mutation.updateLifecycleSettings"}

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES.get(operation.label, EXAMPLES_PER_FIELD),
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        fuzz()
