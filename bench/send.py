"""Render and send personalised lifecycle emails to a local SMTP sink, in one worker.

What a worker does per email: assemble the message for one customer (their name, their
cart, their code) from the MJML templates, then send it over SMTP. The sink runs in a
separate process on loopback and only counts. Target: >= 300 emails/s per worker.

    .venv/bin/python bench/send.py [--emails 3000]

Last line: ``send: <emails/s> emails/s``.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saleor_lifecycle.config.settings_test")

SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        Count.n += 1
        return "250 OK"
controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
print(Count.n, flush=True)
controller.stop()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=3000)
    args = parser.parse_args()

    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline().strip() == "ready"
    os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))

    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    from saleor_lifecycle.mail.render import TEMPLATES, render_email, sample_branding, sample_context
    from saleor_lifecycle.scenarios.messages import DjangoEmailSender, OutgoingMessage

    branding = sample_branding()
    contexts = {template: sample_context(template) for template in TEMPLATES}
    sender = DjangoEmailSender()
    languages = ("en", "pl", "cs")
    expiry = datetime(2026, 12, 1, 22, tzinfo=UTC)

    def one(index: int) -> None:
        template = TEMPLATES[index % len(TEMPLATES)]
        context = dict(contexts[template])
        context["first_name"] = f"Customer {index}"  # every email is someone else's
        if context.get("offer"):
            context["offer"] = {**context["offer"], "code": f"LC-{index:010d}", "expires_at": expiry + timedelta(minutes=index)}
        rendered = render_email(template, language=languages[index % 3], context=context, branding=branding)
        sender.send(
            OutgoingMessage(
                to=f"customer{index}@example.com", subject=rendered.subject, text=rendered.text, html=rendered.html,
                idempotency_key=f"step-run-{index}",
                headers={"List-Unsubscribe": f"<https://lifecycle.example.com/m/u/{index}>"},
            )
        )

    for index in range(50):  # warm up: templates compiled, connection open
        one(index)
    started = time.perf_counter()
    for index in range(args.emails):
        one(index)
    elapsed = time.perf_counter() - started
    sender.close()

    sink.stdin.close()
    received = int(sink.stdout.readline().strip())
    sink.wait(timeout=10)
    rate = args.emails / elapsed
    print(f"emails rendered and sent: {args.emails} ({len(TEMPLATES)} templates x en/pl/cs), received by the sink: {received - 50}")
    print(f"elapsed: {elapsed:.2f} s, per email: {elapsed / args.emails * 1000:.2f} ms")
    print(f"target: >= 300 emails/s per worker -> {'PASS' if rate >= 300 else 'FAIL'}")
    print(f"send: {rate:.0f} emails/s")
    assert received - 50 == args.emails, "the sink must receive every email"


if __name__ == "__main__":
    main()
