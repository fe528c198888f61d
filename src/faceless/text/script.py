"""A user's script (plain text or Markdown) → narration beats (sentences), grouped by paragraph."""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from faceless.domain.errors import InputError
from faceless.text.chars import SPACE_RE, clean_text, has_speakable
from faceless.text.sentences import split_sentences

EMPTY_SCRIPT = "script is empty: write some narration in the file"

# Signals that a text is Markdown rather than prose that happens to contain a '*' or a '#'.
_MARKDOWN_SIGNS = re.compile(
    r"^\s{0,3}#{1,6}\s+\S|^\s{0,3}[-*+]\s+\S|^\s{0,3}>\s|^\s{0,3}```|^\s{0,3}~~~|^\s*\|.*\|\s*$"
    r"|\[[^\]\n]+\]\([^)\s]+\)|!\[|\*\*\S[^*\n]*\*\*|__\S[^_\n]*__|`[^`\n]+`|<!--"
    r"|</?(?:p|div|span|img|br|a|b|i|em|strong|h[1-6]|ul|ol|li|table|script|style)\b[^>]*>",
    re.MULTILINE | re.IGNORECASE,
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HTML_JUNK = re.compile(r"<!--.*?-->|<(script|style|template)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<![^>]*>")
_TERMINAL = ".!?…:;。！？"
_CLOSERS = "\"'”’»›)]}」』）"


def looks_like_markdown(text: str) -> bool:
    """True when `text` shows Markdown/HTML syntax (headings, lists, links, emphasis, fences, tables)."""
    return bool(_MARKDOWN_SIGNS.search(text))


def _terminate(sentence: str) -> str:
    """Give a heading/list item/paragraph end a full stop, so the TTS pauses after it.

    Text ending in punctuation, an emoji or another symbol is left alone.
    """
    core = sentence.rstrip(_CLOSERS)
    if not core or core[-1] in _TERMINAL or not core[-1].isalnum():
        return sentence
    return sentence + "."  # after any closing quote or bracket: '“Go”.', '(see above).'


def _markdown() -> MarkdownIt:
    # Indented code is off: plain prose indented by four spaces must not vanish as "code".
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).disable("code")


def _inline_text(token: Token) -> str:
    """Visible text of an inline token: link text kept, images, HTML tags and markers dropped."""
    out: list[str] = []
    skip_depth = 0
    for child in token.children or []:
        if child.type == "image":
            continue  # alt text is not narration
        if child.type == "html_inline":
            tag = child.content.lower()
            if re.match(r"<(script|style)\b", tag):
                skip_depth += 1
            elif re.match(r"</(script|style)\b", tag):
                skip_depth = max(0, skip_depth - 1)
            continue
        if skip_depth:
            continue
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
    return SPACE_RE.sub(" ", "".join(out)).strip()


def _html_text(block: str) -> str:
    text = _HTML_TAG.sub(" ", _HTML_JUNK.sub(" ", block))
    return SPACE_RE.sub(" ", html.unescape(text)).strip()


def _markdown_blocks(text: str) -> list[list[str]]:
    """Markdown → paragraphs, each a list of text units (a paragraph, heading, list item or table row)."""
    text = _FRONT_MATTER.sub("", text, count=1)
    tokens = _markdown().parse(text)
    paragraphs: list[list[str]] = []
    current: list[str] = []  # the list or table being collected
    row: list[str] = []
    container_depth = 0  # inside a list or table: units join one paragraph
    heading = in_cell = False
    for tok in tokens:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open", "table_open"):
            if container_depth == 0:
                current = []
            container_depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close", "table_close"):
            container_depth -= 1
            if container_depth == 0 and current:
                paragraphs.append(current)
                current = []
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            cells = [c for c in row if c]
            if cells:
                current.append(_terminate(", ".join(cells)))
        elif kind == "inline":
            content = _inline_text(tok)
            if in_cell:
                row.append(content.rstrip(".,;"))
            elif not content:
                continue
            elif container_depth:
                current.append(_terminate(content))
            elif heading:
                paragraphs.append([_terminate(content)])
            else:
                paragraphs.append([content])
        elif kind == "html_block":
            content = _html_text(tok.content)
            if content and container_depth:
                current.append(content)
            elif content:
                paragraphs.append([content])
        # fence, code_block, hr, images: nothing to narrate
    if current:
        paragraphs.append(current)
    return paragraphs


def _plain_blocks(text: str) -> list[list[str]]:
    return [[block] for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


def parse_script_paragraphs(text: str, *, markdown: bool | None = None) -> list[list[str]]:
    """Plain text or Markdown → paragraphs of beats (sentences); headings are paragraphs of their own.

    `markdown=None` detects Markdown syntax. Every paragraph's last beat ends with stop punctuation.
    Raises `InputError` when nothing speakable remains.
    """
    text = clean_text(text)
    is_md = looks_like_markdown(text) if markdown is None else markdown
    blocks = _markdown_blocks(text) if is_md else _plain_blocks(text)
    paragraphs: list[list[str]] = []
    for units in blocks:
        beats: list[str] = []
        for unit in units:
            beats.extend(split_sentences(unit))
        if beats:
            beats[-1] = _terminate(beats[-1])
            paragraphs.append(beats)
    if not any(has_speakable(b) for p in paragraphs for b in p):
        raise InputError(EMPTY_SCRIPT)
    return paragraphs


def parse_script(text: str, *, markdown: bool | None = None) -> list[str]:
    """Plain text or Markdown → list of beats (sentences) in reading order; see `parse_script_paragraphs`."""
    return [beat for paragraph in parse_script_paragraphs(text, markdown=markdown) for beat in paragraph]
