"""Output formats (frame size) and the platform safe zone for text."""

from __future__ import annotations

from dataclasses import dataclass

from faceless.domain.errors import InputError


@dataclass(frozen=True)
class SafeZone:
    """Box (pixels) where captions and titles stay clear of platform UI."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top


@dataclass(frozen=True)
class RenderFormat:
    """A named output preset."""

    name: str
    width: int
    height: int
    safe: SafeZone

    @property
    def portrait(self) -> bool:
        return self.height > self.width


_PORTRAIT_SAFE = SafeZone(left=65, top=270, right=930, bottom=1248)
_PORTRAIT = dict(width=1080, height=1920, safe=_PORTRAIT_SAFE)

FORMATS: dict[str, RenderFormat] = {
    "shorts": RenderFormat("shorts", **_PORTRAIT),
    "tiktok": RenderFormat("tiktok", **_PORTRAIT),
    "reels": RenderFormat("reels", **_PORTRAIT),
    # Landscape and square: keep text off the outer ~6% (title-safe) and above the player bar.
    "youtube": RenderFormat("youtube", 1920, 1080, SafeZone(left=115, top=65, right=1805, bottom=940)),
    "square": RenderFormat("square", 1080, 1080, SafeZone(left=65, top=65, right=1015, bottom=940)),
}


def get_format(name: str) -> RenderFormat:
    """Return the preset called `name`, or raise InputError listing the valid names."""
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(f"unknown format {name!r}: use one of {', '.join(FORMATS)}") from None
