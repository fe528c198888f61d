"""Errors with a meaning for callers: bad input (exit 2 / HTTP 4xx) versus internal failure."""


class FacelessError(Exception):
    """Base class of every error Faceless raises on purpose."""


class InputError(FacelessError):
    """The user's input is wrong; the message names the problem and the fix (CLI exit 2, HTTP 422)."""


class MediaRejected(FacelessError):
    """A media file was refused (unreadable, wrong format, playlist, too many pixels...)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ProviderError(FacelessError):
    """A provider (TTS, LLM, stock...) failed; `retryable` tells a fallback chain whether to go on."""

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
