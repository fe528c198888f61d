"""Load an article to narrate from a local file (.html, .txt, .md) or an http(s) URL."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from faceless.domain.errors import InputError
from faceless.text.chars import clean_text, has_speakable
from faceless.text.script import looks_like_markdown, parse_script_paragraphs

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")
_USER_AGENT = "Faceless/0.1 (article reader)"
MAX_REDIRECTS = 5
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """The readable text of an article as plain prose: no Markdown or HTML, one paragraph (or heading,
    list, table) per blank-line-separated block, so `split_sentences` and `parse_script` both read it."""

    title: str
    text: str
    url: str | None = None


def _html_to_article(html: str | bytes, where: str, url: str | None) -> Article:
    """Main text of an HTML page with trafilatura (navigation, ads, footers and comments left out)."""
    import trafilatura  # heavy (lxml, dateparser...): loaded only when an HTML article is read

    text = trafilatura.extract(
        html,
        url=url,
        output_format="markdown",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        favor_precision=True,
    )
    if not text or not has_speakable(text):
        raise InputError(
            f"{where}: no article text found on the page; save the text to a .txt file and use that"
        )
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else "") or _first_heading(text) or ""
    return Article(title=title.strip(), text=_plain(text, where), url=url)


def _plain(text: str, where: str) -> str:
    """Markdown (as trafilatura gives it, or a .md file) → plain paragraphs separated by blank lines."""
    try:
        paragraphs = parse_script_paragraphs(text, markdown=True)
    except InputError:
        raise InputError(
            f"{where}: no article text found; save the text to a .txt file and use that"
        ) from None
    return "\n\n".join(" ".join(beats) for beats in paragraphs)


def _first_heading(text: str) -> str | None:
    m = re.search(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)
    return m.group(1) if m else None


def _text_article(text: str, title_hint: str, url: str | None, where: str, markdown: bool) -> Article:
    text = clean_text(text).strip()
    title = _first_heading(text) or next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(title) > 120:
        title = title_hint
    if markdown or looks_like_markdown(text):
        text = _plain(text, where)
    elif not has_speakable(text):
        raise InputError(f"{where}: the file has no text to narrate; write some sentences in it")
    return Article(title=title.lstrip("# ").strip(), text=text, url=url)


def _decode(data: bytes, charset: str | None) -> str:
    for encoding in (charset, "utf-8-sig"):
        if encoding:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("utf-8", errors="replace")


def _html_source(data: bytes, charset: str | None) -> str | bytes:
    """HTML bytes decoded by the declared charset (HTTP header, else <meta>); undeclared and not UTF-8:
    the bytes, for trafilatura's own detection."""
    if not charset:
        m = _META_CHARSET.search(data[:4096])
        charset = m.group(1).decode("ascii", "ignore") if m else None
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return data


def _load_file(path: Path, max_bytes: int) -> Article:
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".html", ".htm", ".xhtml", ".txt", ".md", ".markdown"):
        raise InputError(f"{where}: unsupported article file type '{suffix}'; use .html, .htm, .txt or .md")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{where}: file is {size} bytes, over the {max_bytes}-byte limit; use a shorter article"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{where}: cannot read the file ({exc.strerror or exc}); check the path") from exc
    if suffix in (".html", ".htm", ".xhtml"):
        return _html_to_article(_html_source(data, None), where, None)
    title_hint = path.stem.replace("_", " ").replace("-", " ")
    return _text_article(_decode(data, None), title_hint, None, where, suffix in (".md", ".markdown"))


def _fetch(url: str, timeout: float, max_bytes: int) -> tuple[bytes, str, str | None, str]:
    """GET `url` → (body, media type, charset, final URL). Every failure is a one-line `InputError`."""
    deadline = time.monotonic() + timeout
    try:
        with httpx.Client(
            follow_redirects=True,
            max_redirects=MAX_REDIRECTS,
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9"},
            trust_env=False,  # no proxy or netrc from the environment
        ) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InputError(
                        f"{url}: the server answered HTTP {response.status_code}; check the address"
                    )
                content_type = response.headers.get("content-type", "")
                media_type = content_type.split(";")[0].strip().lower()
                if media_type not in _HTML_TYPES + _TEXT_TYPES:
                    raise InputError(
                        f"{url}: not a web page or text (content type '{media_type or 'none'}'); "
                        "link to an HTML article"
                    )
                declared = response.headers.get("content-length")
                if declared and declared.isascii() and declared.isdecimal() and int(declared) > max_bytes:
                    raise InputError(
                        f"{url}: page is larger than {max_bytes} bytes; link to a shorter article"
                    )
                chunks: list[bytes] = []
                total = 0
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise InputError(
                            f"{url}: page is larger than {max_bytes} bytes; link to a shorter article"
                        )
                    if time.monotonic() > deadline:
                        raise InputError(f"{url}: download took longer than {timeout:g} s; try again later")
                    chunks.append(chunk)
                return b"".join(chunks), media_type, response.charset_encoding, str(response.url)
    except httpx.TooManyRedirects as exc:
        raise InputError(f"{url}: more than {MAX_REDIRECTS} redirects; link to the article itself") from exc
    except httpx.TimeoutException as exc:
        raise InputError(
            f"{url}: no answer within {timeout:g} s; check the address or try again later"
        ) from exc
    except httpx.UnsupportedProtocol as exc:
        raise InputError(f"{url}: redirected to an address that is not http(s); link to the article") from exc
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{url}: cannot fetch the page ({reason}); check the address") from exc


def load_article(source: str, *, timeout: float = 20.0, max_bytes: int = 5_000_000) -> Article:
    """Read an article from a file path (.html/.htm main text via trafilatura; .txt/.md as is) or an
    http(s) URL (≤ 5 redirects, `max_bytes` cap, `timeout` for the whole download, HTML or plain text).

    Raises `InputError` with a one-line message naming the source and the reason.
    """
    source = source.strip()
    if not source:
        raise InputError("article source is empty: give a file path or an http(s) URL")
    scheme = urlsplit(source).scheme.lower() if "://" in source else ""
    if scheme:
        if scheme not in ("http", "https") or not urlsplit(source).hostname:
            raise InputError(f"{source}: only http(s) URLs or local files can be read; give a web address")
        body, media_type, charset, final_url = _fetch(source, timeout, max_bytes)
        if media_type in _HTML_TYPES:
            return _html_to_article(_html_source(body, charset), source, final_url)
        return _text_article(
            _decode(body, charset), final_url, final_url, source, media_type == "text/markdown"
        )
    path = Path(source).expanduser()
    if not path.is_file():
        hint = (
            " (a web address needs http:// or https://)"
            if re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", source)
            else ""
        )
        raise InputError(f"{source}: no such file{hint}; check the path")
    return _load_file(path, max_bytes)
