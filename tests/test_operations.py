"""Operating the app: health checks and the demo a new developer runs first."""

import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings

from saleor_lifecycle.core import views


def test_healthz_answers_200_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_answers_503_naming_what_is_down(client, db, monkeypatch):
    def broker_down():
        raise ConnectionRefusedError("no broker")

    monkeypatch.setitem(views.CHECKS, "broker", broker_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "error: ConnectionRefusedError"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="the demo runs on the embedded default")
def test_the_demo_installs_the_app_and_ingests_signed_webhooks(tmp_path):
    """`make demo`, minus waiting for Ctrl-C: real web server, worker, beat and fake Saleor."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "LIFECYCLE_TESTING", "CELERY_BROKER_URL"}
    }
    env.update(VAR_DIR=str(tmp_path), DEBUG="1")
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, timeout=120)

    result = subprocess.run(
        [*manage, "demo", "--exit", "--port", str(free_port()), "--saleor-port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "POST http://127.0.0.1:" in result.stdout and "/api/register -> 200" in result.stdout
    assert "redelivered ORDER_CREATED -> 200" in result.stdout
    assert "tampered body             -> 401" in result.stdout
    assert "malformed body            -> 400" in result.stdout
    assert "the worker backfilled the shop's history: 40 customers" in result.stdout
    assert "Customers by lifecycle stage" in result.stdout
    assert "The worker processed all 4 deliveries." in result.stdout
    assert '"to": "returning"' in result.stdout  # the lapsed customer came back
