"""The HTML routes without a browser: access control, safe redirects, CSP-friendly markup, PWA files."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from web_helpers import PASSWORD, web_settings

from faceless.server.app import create_app
from faceless.web import STATIC_DIR, TEMPLATES_DIR

APP_PAGES = ["/", "/new", "/assets", "/settings/org", "/settings/account"]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app = create_app(web_settings(tmp_path_factory.mktemp("pages")))
    with TestClient(app) as c:
        yield c
    app.state.ctx.engine.dispose()


def _signed_in(client: TestClient, email: str) -> tuple[TestClient, str]:
    """A separate cookie jar for `email` (signed up); returns it and the personal org id."""
    c = TestClient(client.app)
    r = c.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD, "name": "Pat"})
    assert r.status_code == 201, r.text
    return c, r.json()["personal_org"]["id"]


def _create_project(c: TestClient, org: str, narration: str) -> str:
    r = c.post(
        f"/api/v1/orgs/{org}/projects",
        json={"project": {"title": "Mine", "scenes": [{"id": "s1", "narration": narration}]}},
        headers={"X-CSRF-Token": c.cookies["fl_csrf"]},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


class _Markup(HTMLParser):
    """Collects what a strict CSP would block or what accessibility needs."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.style_attrs: list[str] = []
        self.handlers: list[str] = []
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.in_label = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.inline_scripts.append(str(a))
        if "style" in a:
            self.style_attrs.append(tag)
        self.handlers += [k for k in a if k.startswith("on")]
        if tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append({**a, "_wrapped": "yes" if self.in_label else None})

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.in_label -= 1


def _parse(html: str) -> _Markup:
    m = _Markup()
    m.feed(html)
    return m


def test_pages_redirect_to_login_when_signed_out(client: TestClient) -> None:
    for path in APP_PAGES:
        r = TestClient(client.app).get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    r = TestClient(client.app).get("/new?draft=x", follow_redirects=False)
    assert r.headers["location"] == "/login?next=/new?draft=x"


def test_login_next_only_goes_to_this_site(client: TestClient) -> None:
    c, _ = _signed_in(client, "next@example.com")
    for bad in ["//evil.example/x", "https://evil.example", "/\\evil.example"]:
        r = c.get("/login", params={"next": bad}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/", bad
    assert (
        c.get("/login", params={"next": "/assets"}, follow_redirects=False).headers["location"] == "/assets"
    )
    html = TestClient(client.app).get("/login", params={"next": "//evil.example"}).text
    assert 'data-next="/"' in html


def test_every_page_is_csp_clean_and_labels_every_control(client: TestClient) -> None:
    c, org = _signed_in(client, "markup@example.com")
    pid = _create_project(c, org, "Hello there.")
    for path in [*APP_PAGES, f"/projects/{pid}", "/offline"]:
        r = c.get(path)
        assert r.status_code == 200, path
        assert r.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in r.headers["content-security-policy"]
        m = _parse(r.text)
        assert m.inline_scripts == [] and m.style_attrs == [] and m.handlers == [], path
        unlabelled = [
            x
            for x in m.controls
            if not x["_wrapped"] and x.get("id") not in m.label_for and not x.get("aria-label")
        ]
        assert unlabelled == [], (path, unlabelled)
    for path in ["/login", "/signup"]:
        m = _parse(TestClient(client.app).get(path).text)
        assert m.inline_scripts == [] and m.style_attrs == []
        assert all(x.get("id") in m.label_for for x in m.controls), path


def test_templates_and_scripts_use_no_inline_code_or_html_injection() -> None:
    for tpl in TEMPLATES_DIR.glob("*.html"):
        text = tpl.read_text()
        assert "| safe" not in text and "|safe" not in text, tpl.name  # autoescape stays on
        assert not re.search(r"\son[a-z]+=", text), tpl.name
    for js in STATIC_DIR.rglob("*.js"):
        text = js.read_text()
        assert "innerHTML" not in text and "eval(" not in text and "document.write" not in text, js.name


def test_project_page_embeds_project_json_safely_and_is_scoped_by_org(client: TestClient) -> None:
    c, org = _signed_in(client, "owner@example.com")
    hostile = "Hi </script><script>alert(1)</script> & bye"
    pid = _create_project(c, org, hostile)
    html = c.get(f"/projects/{pid}").text
    assert "<script>alert(1)" not in html
    boot = re.search(r'<script type="application/json" id="boot-data">(.*?)</script>', html, re.S)
    assert boot is not None
    data = json.loads(boot.group(1))
    assert data["project"]["scenes"][0]["narration"] == hostile
    assert data["version"] == 1 and data["can_write"] is True and data["job"] is None
    # Another account cannot open the page nor its scene previews.
    other, other_org = _signed_in(client, "stranger@example.com")
    r = other.get(f"/projects/{pid}")
    assert r.status_code == 404 and "project not found" in r.text and hostile not in r.text
    assert other.get(f"/api/v1/orgs/{org}/projects/{pid}/scenes/s1/preview.jpg").status_code == 404


def test_org_switch_cookie_only_selects_orgs_you_belong_to(client: TestClient) -> None:
    c, personal = _signed_in(client, "switch@example.com")
    team = c.post(
        "/api/v1/orgs", json={"name": "Team Z"}, headers={"X-CSRF-Token": c.cookies["fl_csrf"]}
    ).json()
    c.cookies.set("fl_org", team["id"])
    assert f'data-org="{team["id"]}"' in c.get("/").text
    c.cookies.set("fl_org", "not-mine")
    assert f'data-org="{personal}"' in c.get("/").text


def test_manifest_service_worker_and_static_files(client: TestClient) -> None:
    m = client.get("/manifest.webmanifest")
    assert m.headers["content-type"].startswith("application/manifest+json")
    manifest = m.json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        r = client.get(icon["src"])
        assert r.status_code == 200, icon
        if icon["type"] == "image/png":
            assert Image.open(BytesIO(r.content)).size == tuple(int(x) for x in icon["sizes"].split("x"))
    sw = client.get("/sw.js")
    assert sw.headers["content-type"].startswith("text/javascript")
    assert sw.headers["service-worker-allowed"] == "/" and sw.headers["cache-control"] == "no-cache"
    assert "__SHELL__" not in sw.text and "__VERSION__" not in sw.text
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", sw.text).group(1))  # type: ignore[union-attr]
    for url in shell:
        assert client.get(url).status_code == 200, url
    assert client.get("/static/../server/app.py").status_code == 404
    assert client.get("/static/%2e%2e/__init__.py").status_code == 404


def test_static_tree_has_no_stray_files() -> None:
    suffixes = {p.suffix for p in Path(STATIC_DIR).rglob("*") if p.is_file()}
    assert suffixes <= {".css", ".js", ".svg", ".png"}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colour_pairs_meet_wcag_aa_contrast() -> None:
    css = (STATIC_DIR / "app.css").read_text()
    var = dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("text", "bg"),
        ("text", "surface"),
        ("text", "surface-2"),
        ("muted", "bg"),
        ("muted", "surface"),
        ("muted", "surface-2"),
        ("accent-text", "accent"),
        ("danger", "bg"),
        ("danger", "surface"),
        ("focus", "bg"),
        ("focus", "surface"),
        ("ok", "surface-2"),
        ("accent", "surface-2"),
    ]
    for fg, bg in pairs:
        assert _contrast(var[fg], var[bg]) >= 4.5, (fg, bg, round(_contrast(var[fg], var[bg]), 2))
