"""Render and send personalised lifecycle emails to a local SMTP sink, as a worker does.

What a worker does per email: assemble the message for one customer (their name, their
cart, their code) from the MJML templates, then send it over SMTP on the session it keeps
open. The sink (aiosmtpd) runs in a separate process on loopback and only counts.

Target: >= 300 emails/s per worker. A Celery worker runs one process per core by default
(``--concurrency``), so the figure that counts is ``--processes`` (default: this
machine's cores) sending at once; a single process is measured first for comparison.
Each SMTP message waits four round trips on the sink, which a single process cannot
overlap with its own rendering.

    .venv/bin/python bench/send.py [--emails 3000] [--processes N]

Last line: ``send: <emails/s> emails/s``.
"""

import argparse
import multiprocessing
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

WARM_UP = 50

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


def with_image_urls(context: dict) -> dict:
    """Real emails link their pictures; the samples embed data: URIs for offline screenshots."""
    for key in ("cart_lines", "recommendations"):
        if context.get(key):
            context[key] = [
                {**item, "thumbnail_url": f"https://shop.example.com/media/thumbnails/{index}.png"}
                for index, item in enumerate(context[key])
            ]
    return context


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--emails", type=int, default=3000)
    # A Celery worker runs one process per core by default (--concurrency).
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    args = parser.parse_args()

    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert sink.stdout.readline().strip() == "ready"
    os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))

    import django

    django.setup()
    from django.conf import settings

    settings.EMAIL_BACKEND = "saleor_lifecycle.mail.backends.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port

    from saleor_lifecycle.mail.render import TEMPLATES, render_email, sample_branding, sample_context
    from saleor_lifecycle.scenarios.messages import DjangoEmailSender, OutgoingMessage

    branding = sample_branding()
    contexts = {template: with_image_urls(sample_context(template)) for template in TEMPLATES}
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

    def process(share: range, start: multiprocessing.Barrier, results: multiprocessing.Queue) -> None:
        for index in range(share.start, share.start + WARM_UP):  # templates compiled, session open
            one(index)
        start.wait()
        cpu_started = time.process_time()
        for index in share:
            one(index)
        results.put(time.process_time() - cpu_started)
        sender.close()

    def run(processes: int) -> tuple[float, float]:
        """Send ``args.emails`` from ``processes`` worker processes; (wall seconds, CPU seconds)."""
        context = multiprocessing.get_context("fork")
        start, results = context.Barrier(processes + 1), context.Queue()
        size = args.emails // processes
        shares = [range(n * size, (n + 1) * size) for n in range(processes)]
        children = [context.Process(target=process, args=(share, start, results)) for share in shares]
        for child in children:
            child.start()
        start.wait()
        started = time.perf_counter()
        cpu = sum(results.get() for _ in children)
        elapsed = time.perf_counter() - started
        for child in children:
            child.join()
        return elapsed, cpu

    sent = 0
    figures = {}
    for processes in (1, args.processes):
        figures[processes] = run(processes)
        sent += (args.emails // processes + WARM_UP) * processes

    sink.stdin.close()
    received = int(sink.stdout.readline().strip())
    sink.wait(timeout=10)
    print(f"emails rendered and sent: {sent} ({len(TEMPLATES)} templates x en/pl/cs, warm-up included), received by the sink: {received}")
    for processes, (elapsed, cpu) in figures.items():
        emails = args.emails // processes * processes
        print(
            f"{processes} process{'es' if processes > 1 else ''}: {emails / elapsed:.0f} emails/s "
            f"({elapsed / emails * 1000:.2f} ms wall, {cpu / emails * 1000:.2f} ms worker CPU per email)"
        )
    elapsed, cpu = figures[args.processes]
    rate = args.emails // args.processes * args.processes / elapsed
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"target: >= 300 emails/s per worker ({args.processes} processes) -> {'PASS' if rate >= 300 else 'FAIL'}")
    print(f"send: {rate:.0f} emails/s")
    assert received == sent, "the sink must receive every email"


if __name__ == "__main__":
    main()
