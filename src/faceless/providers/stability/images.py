"""Stability AI: `POST /v2beta/stable-image/generate/core` (multipart form, `accept: image/*`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import ProviderInfo
from faceless.providers.image_support import save_fitted
from faceless.providers.usage import check_budget, record_usage
from faceless.providers.vendor import CloudOptions, CloudProvider

ASPECTS = {
    "16:9": 16 / 9,
    "1:1": 1.0,
    "21:9": 21 / 9,
    "2:3": 2 / 3,
    "3:2": 3 / 2,
    "4:5": 4 / 5,
    "5:4": 5 / 4,
    "9:16": 9 / 16,
    "9:21": 9 / 21,
}


def aspect_ratio(width: int, height: int) -> str:
    """The accepted aspect ratio closest to width/height."""
    want = width / height
    return min(ASPECTS, key=lambda k: abs(ASPECTS[k] - want))


class StabilityOptions(CloudOptions):
    """Settings of the [stability] section."""

    endpoint: Literal["core", "ultra"] = "core"
    negative_prompt: str = Field(default="text, watermark, logo", max_length=10000)
    seed: int = Field(default=0, ge=0, le=4294967294)


class StabilityImages(CloudProvider):
    """Stable Image Core (or Ultra with `endpoint="ultra"`); cropped to the requested frame."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="stability",
        capability="image",
        env_keys=("STABILITY_API_KEY",),
        description="Stability AI images",
        options=StabilityOptions,
    )
    default_base_url = "https://api.stability.ai"

    def __init__(
        self,
        *,
        endpoint: str = "core",
        negative_prompt: str = "text, watermark, logo",
        seed: int = 0,
        **options: Any,
    ) -> None:
        model = options.pop("model", None)  # `stability:ultra` in a spec picks the endpoint
        super().__init__(**options)
        self.endpoint = model or endpoint
        if self.endpoint not in ("core", "ultra"):
            raise InputError(f"unknown Stability endpoint {self.endpoint!r}: use core or ultra")
        self.negative_prompt = negative_prompt
        self.seed = seed

    def auth_headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.api_key}"}

    def generate(self, prompt: str, out_path: Path, *, width: int, height: int) -> Path:
        """Generate one image for `prompt`, saved to `out_path` at exactly width x height."""
        if not prompt.strip():
            raise InputError("empty image prompt: describe the picture")
        check_budget("stability", self.endpoint, images=1)
        fields = {
            "prompt": prompt,
            "aspect_ratio": aspect_ratio(width, height),
            "output_format": "png",
            "negative_prompt": self.negative_prompt,
            "seed": str(self.seed),
        }
        # Every field as a filename-less part: the endpoint only accepts multipart/form-data.
        files = {k: (None, v) for k, v in fields.items()}
        reply = self.http.request(
            "POST",
            f"v2beta/stable-image/generate/{self.endpoint}",
            files=files,
            headers={"accept": "image/*"},
            cache=self.use_cache,
        )
        with self.http.checking(reply):
            if reply.headers.get("finish-reason", "SUCCESS") == "CONTENT_FILTERED":
                raise ProviderError(
                    "stability: the image was blocked by the content filter: rephrase the prompt"
                )
            if not reply.content_type.startswith("image/"):
                raise ProviderError(
                    f"stability: malformed response (content-type {reply.content_type!r}, not an image)"
                )
        record_usage("stability", "image", self.endpoint, cached=reply.from_cache, images=1)
        return save_fitted(reply.content, Path(out_path), width, height, "stability")
