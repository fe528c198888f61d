"""Outgoing e-mail (password resets): SMTP when configured, else an outbox folder of .eml files.

`FACELESS_SMTP_URL`: `smtp://user:pass@host:587` (STARTTLS when the server offers it; add
`?starttls=0` to skip), `smtps://user:pass@host:465` (TLS from the start), or unset: messages are
written to `<data_dir>/outbox/*.eml` (atomically) and a warning says so once per process.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from faceless.service.settings import Settings
from faceless.storage.files import write_text_atomic

log = logging.getLogger(__name__)
_warned = threading.Event()


def build_message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="faceless.local")
    msg.set_content(text)
    return msg


def send_mail(settings: Settings, to: str, subject: str, text: str) -> None:
    """Send one plain-text message (errors are logged, never raised: callers run this after responding)."""
    msg = build_message(settings, to, subject, text)
    try:
        if settings.smtp_url:
            _smtp(settings.smtp_url, msg)
        else:
            _outbox(Path(settings.data_dir) / "outbox", msg)
    except (OSError, smtplib.SMTPException) as e:
        log.error("mail to %s not sent: %s: %s", to.split("@")[-1], type(e).__name__, e)


def _smtp(url: str, msg: EmailMessage) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise smtplib.SMTPException(f"FACELESS_SMTP_URL must be smtp://… or smtps://…, not {parts.scheme}://")
    starttls = parse_qs(parts.query).get("starttls", ["1"])[0] != "0"
    context = ssl.create_default_context()
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    cls = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    kwargs = {"context": context} if parts.scheme == "smtps" else {}
    with cls(parts.hostname, port, timeout=20, **kwargs) as smtp:  # type: ignore[arg-type]
        if parts.scheme == "smtp" and starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=context)
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(msg)


def _outbox(folder: Path, msg: EmailMessage) -> None:
    if not _warned.is_set():
        _warned.set()
        log.warning("no FACELESS_SMTP_URL: e-mails are written to %s instead of being sent", folder)
    name = str(msg["Message-ID"]).strip("<>").replace("@", "_").replace("/", "_")
    write_text_atomic(folder / f"{name}.eml", msg.as_string())
