"""`/docs` in a real browser: Swagger UI renders our OpenAPI 3.1 document from same-origin assets only,
runs a request, and breaks no rule of the strict CSP (an old Swagger UI served 200 for every asset yet
showed "Unable to render this definition"; only a browser sees that)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from server_helpers import server_settings

from faceless.server.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("docs")
    # /docs and the OpenAPI document never touch the database: no migration needed.
    app = create_app(server_settings(data, f"sqlite:///{data / 'db.sqlite'}"), migrate=False, jobs=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def docs_page(docs_server: str) -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: apt-get install chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser.new_page()
        browser.close()


def test_swagger_ui_renders_offline_under_the_strict_csp(docs_server: str, docs_page: Any) -> None:
    page = docs_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    # Collected inside the page: every CSP violation the browser reports.
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    response = page.goto(f"{docs_server}/docs")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
    page.wait_for_selector(".opblock", timeout=20_000)
    assert "Faceless" in page.locator(".info .title").inner_text()
    assert page.locator(".opblock").count() > 30
    assert page.locator(".errors-wrapper").count() == 0  # no "Unable to render this definition"
    # Try a request from the page: GET /api/v1/health through Swagger UI's own fetch.
    health = page.locator("#operations-meta-health_api_v1_health_get")
    health.locator(".opblock-summary").click()
    health.locator(".try-out__btn").click()
    health.locator(".execute").click()
    status = health.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=10_000)
    assert status.inner_text().strip() == "200"
    assert page.evaluate("window.__csp") == []
    assert requests and all(u.startswith(docs_server) or u.startswith("data:") for u in requests), requests
    # The check itself works: an inline style attribute is reported under this CSP.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<i style=\"color: red\">x</i>')")
    page.wait_for_function("window.__csp.length > 0", timeout=5_000)
