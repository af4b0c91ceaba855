"""Browser fixtures: Debian's chromium driven by Playwright for Python, against a real
``pagesvm serve`` of the bundled site.

Every page opened through ``browser_page`` records console errors, uncaught exceptions,
failed requests (not those the browser cancels itself on navigation) and error responses; a test fails on any of them unless it declares the
one it expects. ``shot(name)`` saves a numbered screenshot under test-artifacts/e2e/<test>/.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.helpers import ROOT, require_tool, start_server

CHROMIUM = os.environ.get("PAGESVM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = os.path.join(ROOT, "test-artifacts", "e2e")


@pytest.fixture(scope="session")
def browser():
    require_tool(CHROMIUM, "Chromium for the browser tests",
                 "apt-get install chromium (as .ci/run does), or set PAGESVM_CHROMIUM to a Chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The bundled default site (no folder given), with its own empty data folder."""
    server = start_server(None, data_dir=str(tmp_path_factory.mktemp("e2e-data")))
    yield server
    server.stop()


class Watch:
    """What went wrong in the browser: console errors, page errors, failed or error responses."""

    def __init__(self):
        self.problems: list[str] = []
        self.allowed: list[re.Pattern] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def add(self, text: str) -> None:
        self.problems.append(text)

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self.allowed)]


@pytest.fixture
def browser_page(browser, site, request):
    """A fresh browser context (no cookies) on the default site; fails the test on any browser problem."""
    context = browser.new_context(base_url=site.url, viewport={"width": 1200, "height": 860})
    page = context.new_page()
    page.set_default_timeout(8000)
    watch = Watch()
    page.on("console", lambda m: m.type == "error" and watch.add(f"console error: {m.text}"))
    page.on("pageerror", lambda e: watch.add(f"page error: {e}"))
    # net::ERR_ABORTED is the browser cancelling a request because the page navigated away
    # (a late icon fetch, a body nobody reads): not a failure of the server, so not counted.
    page.on("requestfailed", lambda r: r.failure != "net::ERR_ABORTED"
            and watch.add(f"request failed: {r.method} {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and watch.add(f"HTTP {r.status}: {r.request.method} {r.url}"))

    folder = os.path.join(ARTIFACTS, request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    count = [0]

    def shot(name: str) -> str:
        count[0] += 1
        path = os.path.join(folder, f"{count[0]:02d}-{name}.png")
        page.screenshot(path=path, full_page=True)
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", f"screenshot {path} is not a PNG"
        return path

    page.watch = watch
    page.shot = shot
    yield page
    context.close()
    problems = watch.unexpected()
    assert not problems, "browser problems:\n" + "\n".join(problems)
