"""Rendered HTML of each default template is checked for broken links/images and is saved
as a screenshot by headless Chromium in a test artifact folder (artifacts/emails/).

One headless Chromium takes every screenshot, driven over ``--remote-debugging-pipe``
(the DevTools protocol, no extra package): a Chromium start costs ~3 CPU-seconds, so one
process per screenshot (``--screenshot=<file>``) would spend a minute on 19 of them.
The sample data uses inline (data:) pictures, so the screenshots need no network.
"""

import base64
import json
import os
import select
import shutil
import struct
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from saleor_lifecycle.mail.render import TEMPLATES, render_email, sample_branding, sample_context

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "emails"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]
DESKTOP, PHONE = (700, 1400), (390, 1400)

#: (template, language, with a logo, viewport): every template in English with the shop's
#: name as the header; one Polish and one Czech email with a logo; two on a phone
EMAILS = [(template, "en", False, DESKTOP) for template in TEMPLATES] + [
    ("cart_reminder_pictures", "pl", True, DESKTOP),
    ("reactivation_discount", "cs", True, DESKTOP),
    ("cart_reminder_pictures", "en", False, PHONE),
    ("retention_recommendations", "en", False, PHONE),
]


def email_id(email) -> str:
    template, language, _, viewport = email
    return f"{template}.{language}" + (".phone" if viewport == PHONE else "")


def rendered(email):
    template, language, logo, _ = email
    return render_email(
        template, language=language, context=sample_context(template), branding=sample_branding(logo=logo)
    )


class LinksAndImages(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str | None] = []
        self.images: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.hrefs.append(attributes.get("href"))
        elif tag == "img":
            self.images.append(attributes.get("src"))


@pytest.mark.parametrize("email", EMAILS, ids=email_id)
def test_it_has_no_broken_links_or_images(email):
    parser = LinksAndImages()
    parser.feed(rendered(email).html)

    assert parser.hrefs, "an email without a single link"
    for href in parser.hrefs:
        assert href and href.strip() == href, f"empty or padded href: {href!r}"
        assert href.startswith(("https://", "http://", "mailto:")), f"broken link: {href!r}"
    for src in parser.images:
        assert src and src.startswith(("https://", "http://", "data:image/")), f"broken image: {src!r}"


class HeadlessChromium:
    """Chromium driven over the DevTools protocol on fds 3 (commands) and 4 (answers)."""

    def __init__(self, binary: str, profile: str):
        command_read, self.commands = os.pipe()
        self.answers, answer_write = os.pipe()

        def wire_pipes():  # in the child, before exec
            command, answer = os.dup(command_read), os.dup(answer_write)
            os.dup2(command, 3)
            os.dup2(answer, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--window-size=700,1400", "--remote-debugging-pipe",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=wire_pipes, close_fds=False,
        )
        os.close(command_read)
        os.close(answer_write)
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict] = []

    def receive(self, deadline: float) -> dict:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.answers], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.answers, 1 << 20)
            if not chunk:
                raise EOFError(f"Chromium exited ({self.process.poll()})")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, *, session: str | None = None, timeout=30) -> dict:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self.receive(deadline)
            if answer.get("id") != self.last_id:
                self.events.append(answer)
            elif "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            else:
                return answer.get("result", {})

    def wait_for(self, event: str, session: str, timeout=30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event and e.get("sessionId") == session for e in self.events):
            self.events.append(self.receive(deadline))

    def screenshot(self, url: str, path: Path, viewport: tuple[int, int]) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        width, height = viewport
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500}, session=session)
        self.call("Page.enable", session=session)
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session)
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        path.write_bytes(base64.b64decode(data))
        self.call("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
            self.process.wait(timeout=10)
        except (OSError, TimeoutError, EOFError, RuntimeError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self.commands)
            os.close(self.answers)


@pytest.fixture(scope="module")
def screenshots():
    """Save every email's HTML and screenshot under artifacts/emails/; map id -> PNG or error."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: apt-get install chromium (bin/system-deps installs it)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    results: dict[str, Path | str] = {}
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        browser = HeadlessChromium(CHROMIUM, profile)
        try:
            for email in EMAILS:
                html_path = ARTIFACTS / f"{email_id(email)}.html"
                png_path = ARTIFACTS / f"{email_id(email)}.png"
                html_path.write_text(rendered(email).html, encoding="utf-8")
                png_path.unlink(missing_ok=True)
                try:
                    browser.screenshot(html_path.as_uri(), png_path, email[3])
                    results[email_id(email)] = png_path
                except (OSError, TimeoutError, EOFError, RuntimeError) as exc:
                    results[email_id(email)] = f"{exc.__class__.__name__}: {exc}"
        finally:
            browser.close()
    return results


@pytest.mark.parametrize("email", EMAILS, ids=email_id)
def test_it_saves_a_screenshot(screenshots, email):
    result = screenshots[email_id(email)]

    assert isinstance(result, Path), f"no screenshot: {result}"
    data = result.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == email[3]
    assert len(data) > 20_000, "a nearly empty screenshot: the email did not render"
