"""Article loading from files and from a local HTTP server (no internet here)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from faceless.domain.errors import InputError
from faceless.text.article import Article, load_article
from faceless.text.script import parse_script
from faceless.text.sentences import split_sentences

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Octopus facts | Sea Blog</title></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/shop">Shop now</a></nav>
<div class="ad advertisement">Buy cheap watches today! Limited offer.</div>
<article>
<h1>Why octopuses have three hearts</h1>
<p>Octopuses have three hearts. Two pump blood through the gills, while the third pumps it to the rest
of the body. Scientists in Monterey have studied this for decades.</p>
<h2>Blue blood</h2>
<p>Their blood is blue because it uses copper-based haemocyanin instead of iron. This works better in
cold water with little oxygen, which is where many octopuses live.</p>
<p>When an octopus swims, the main heart actually stops beating, which is why they prefer crawling
along the sea floor — café-style, slowly. 🐙</p>
</article>
<aside class="sidebar">Related: Ten best cat videos</aside>
<footer>Copyright 2024 Sea Blog. All rights reserved. Subscribe to our newsletter.</footer>
</body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def send(self, status: int, body: bytes, ctype: str, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (size cap, timeout)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path
        if path == "/article":
            self.send(200, PAGE.encode(), "text/html; charset=utf-8")
        elif path == "/latin1":
            body = "<html><body><article>" + "<p>Ça coûte très cher, déjà vu à Zürich.</p>" * 10
            self.send(
                200, (body + "</article></body></html>").encode("latin-1"), "text/html; charset=iso-8859-1"
            )
        elif path == "/plain":
            self.send(200, b"# Notes\n\nPlain text article. Second sentence.", "text/plain; charset=utf-8")
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self.send_response(302)
            self.send_header("Location", f"/hop/{n - 1}" if n > 0 else "/article")
            self.end_headers()
        elif path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/file")
            self.end_headers()
        elif path == "/image":
            self.send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
        elif path == "/big":
            self.send(200, b"<html><body>" + b"<p>word </p>" * 20000 + b"</body></html>", "text/html")
        elif path == "/big-unsized":
            self.send(200, b"<html><body>" + b"<p>word </p>" * 20000 + b"</body></html>", "text/html",
                      length=False)  # fmt: skip
        elif path == "/slow":
            time.sleep(1.5)
            self.send(200, PAGE.encode(), "text/html")
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(15):
                self.wfile.write(b"<p>drip</p>")
                self.wfile.flush()
                time.sleep(0.1)
        elif path == "/empty":
            self.send(200, b"<html><body><img src='a.png'><script>go()</script></body></html>", "text/html")
        else:
            self.send(404, b"not here", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_html_page_main_text_without_boilerplate(server: str) -> None:
    article = load_article(f"{server}/article")
    assert isinstance(article, Article)
    assert article.title in ("Octopus facts | Sea Blog", "Octopus facts", "Why octopuses have three hearts")
    assert article.url == f"{server}/article"
    text = article.text
    assert "Octopuses have three hearts." in text
    assert "haemocyanin" in text and "café-style" in text
    for junk in ("Shop now", "cheap watches", "All rights reserved", "newsletter", "cat videos"):
        assert junk not in text
    assert "#" not in text and "<" not in text
    assert "\n\nBlue blood.\n\n" in text  # headings are paragraphs of their own
    beats = parse_script(text)  # the article text is a valid script
    assert "Blue blood." in beats and "Octopuses have three hearts." in beats
    assert beats == split_sentences(text)  # and plain enough to split directly


def test_redirects_are_followed_up_to_five(server: str) -> None:
    article = load_article(f"{server}/hop/4")  # 5 redirects in all
    assert article.url == f"{server}/article"
    with pytest.raises(InputError, match=r"hop/5: more than 5 redirects"):
        load_article(f"{server}/hop/5")


def test_plain_text_and_charset(server: str) -> None:
    plain = load_article(f"{server}/plain")
    assert plain.title == "Notes"
    assert plain.text == "Notes.\n\nPlain text article. Second sentence."
    latin = load_article(f"{server}/latin1")
    assert "Ça coûte très cher, déjà vu à Zürich." in latin.text


@pytest.mark.parametrize(
    ("path", "kwargs", "reason"),
    [
        ("/missing", {}, "HTTP 404"),
        ("/image", {}, "content type 'image/png'"),
        ("/big", {"max_bytes": 50_000}, "larger than 50000 bytes"),
        ("/big-unsized", {"max_bytes": 50_000}, "larger than 50000 bytes"),
        ("/slow", {"timeout": 0.3}, "no answer within 0.3 s"),
        ("/drip", {"timeout": 0.6}, "longer than 0.6 s"),
        ("/to-ftp", {}, "not http"),
        ("/empty", {}, "no article text"),
    ],
)
def test_fetch_failures_are_one_line_input_errors(
    server: str, path: str, kwargs: dict[str, float], reason: str
) -> None:
    url = f"{server}{path}"
    with pytest.raises(InputError) as info:
        load_article(url, **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(url) and reason in message and "\n" not in message


def test_refused_connection_and_bad_schemes() -> None:
    with pytest.raises(InputError, match="cannot fetch the page"):
        load_article("http://127.0.0.1:9/nothing-listens-here", timeout=2)
    for source in ("ftp://example.com/a", "file:///etc/passwd", "javascript://x", "http:///nohost"):
        with pytest.raises(InputError, match="only http"):
            load_article(source)
    with pytest.raises(InputError, match=r"needs http:// or https://"):
        load_article("example.com/article")
    with pytest.raises(InputError, match="article source is empty"):
        load_article("   ")


def test_local_files(tmp_path: Path) -> None:
    html = tmp_path / "page.html"
    html.write_text(PAGE, encoding="utf-8")
    article = load_article(str(html))
    assert "Octopuses have three hearts." in article.text and "Shop now" not in article.text
    assert article.url is None

    md = tmp_path / "my-notes.md"
    md.write_text("\ufeff# Deep sea\n\nAnglerfish glow 🐟. C:\\path %{x}\n", encoding="utf-8")
    article = load_article(str(md))
    assert article.title == "Deep sea"
    assert article.text == "Deep sea.\n\nAnglerfish glow 🐟. C:\\path %{x}."

    txt = tmp_path / "long_title.txt"
    txt.write_text("x " * 100 + "\n\nBody.", encoding="utf-8")
    assert load_article(str(txt)).title == "long title"


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_article(str(tmp_path / "absent.txt"))
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    with pytest.raises(InputError, match=r"unsupported article file type '\.pdf'"):
        load_article(str(pdf))
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    with pytest.raises(InputError, match="over the 100-byte limit"):
        load_article(str(big), max_bytes=100)
