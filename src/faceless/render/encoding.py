"""H.264 settings shared by every scene segment, so segments can be joined without re-encoding."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from faceless.domain.errors import InputError
from faceless.storage.cache import content_key

X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)
PROFILES = ("baseline", "main", "high")


@dataclass(frozen=True)
class EncoderSettings:
    """libx264 parameters of a segment. Every segment of one video must use the same settings.

    The GOP is closed and half the frame rate (YouTube's recommendation), with scene-cut keyframes
    off, so every segment starts with an IDR frame and its structure depends only on its length.
    """

    preset: str = "veryfast"
    crf: int = 23
    fps: int = 30
    gop: int = 15
    bframes: int = 2
    profile: str = "high"
    pix_fmt: str = "yuv420p"
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.preset not in X264_PRESETS:
            raise InputError(f"unknown x264 preset {self.preset!r}: use one of {', '.join(X264_PRESETS)}")
        if not 0 <= self.crf <= 51:
            raise InputError(f"crf {self.crf} is out of range: use 0 (lossless) to 51 (worst), e.g. 23")
        if self.fps <= 0 or self.gop <= 0:
            raise InputError("fps and gop must be positive: e.g. fps=30, gop=15")
        if not 0 <= self.bframes <= 16:
            raise InputError(f"bframes {self.bframes} is out of range: use 0 to 16, e.g. 2")
        if self.profile not in PROFILES:
            raise InputError(f"unknown H.264 profile {self.profile!r}: use one of {', '.join(PROFILES)}")
        if self.profile != "high" and self.pix_fmt != "yuv420p":
            raise InputError(f"pix_fmt {self.pix_fmt!r} needs profile 'high': use yuv420p")
        if self.threads is not None and self.threads < 0:
            raise InputError("threads must be 0 (auto) or more")

    def video_options(self) -> list[str]:
        """Output options for libx264 at a constant frame rate (no audio options)."""
        x264 = ":".join(
            [
                f"keyint={self.gop}",
                f"min-keyint={self.gop}",
                "scenecut=0",  # keyframes only on the GOP grid: same structure for the same length
                "open-gop=0",
                f"bframes={self.bframes}",
            ]
        )
        opts = [
            "-c:v",
            "libx264",
            "-preset",
            self.preset,
            "-crf",
            str(self.crf),
            "-profile:v",
            self.profile,
            "-pix_fmt",
            self.pix_fmt,
            "-g",
            str(self.gop),
            "-keyint_min",
            str(self.gop),
            "-bf",
            str(self.bframes),
            "-flags",
            "+cgop",
            "-x264-params",
            x264,
            "-r",
            str(self.fps),
            "-fps_mode",
            "cfr",  # ffmpeg >= 5.1; replaces -vsync cfr
        ]
        if self.threads is not None:
            opts += ["-threads", str(self.threads)]
        return opts

    def key(self) -> str:
        """Cache-key part: changes whenever an encoded segment would change."""
        return content_key("encoder/1", asdict(self))
