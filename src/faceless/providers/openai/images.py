"""OpenAI Images: `POST {base}/images/generations` with `b64_json` answers."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.base import ProviderInfo
from faceless.providers.image_support import nearest_size, save_fitted
from faceless.providers.openai.common import OpenAIBase
from faceless.providers.usage import check_budget, record_usage
from faceless.providers.vendor import CloudOptions

SIZES = {
    "dall-e-3": [(1024, 1024), (1792, 1024), (1024, 1792)],
    "gpt-image-1": [(1024, 1024), (1536, 1024), (1024, 1536)],
    "dall-e-2": [(1024, 1024)],
}


class OpenAIImagesOptions(CloudOptions):
    """Settings of the [openai] section."""

    image_model: str = Field(default="dall-e-3", description="dall-e-3, gpt-image-1 or dall-e-2")
    quality: str | None = Field(
        default=None, description="standard/hd (DALL-E 3), low/medium/high (gpt-image-1)"
    )


class OpenAIImages(OpenAIBase):
    """Text to image with DALL-E 3 (default) or gpt-image-1; cropped to the requested frame."""

    info: ClassVar[ProviderInfo] = ProviderInfo(
        id="openai",
        capability="image",
        env_keys=("OPENAI_API_KEY",),
        description="OpenAI image generation",
        options=OpenAIImagesOptions,
    )

    def __init__(self, *, image_model: str = "dall-e-3", quality: str | None = None, **options: Any) -> None:
        model = options.pop("model", None)  # `openai:gpt-image-1` in a spec picks the image model
        super().__init__(**options)
        self.image_model = model or image_model
        self.quality = quality

    def generate(self, prompt: str, out_path: Path, *, width: int, height: int) -> Path:
        """Generate one image for `prompt`, saved to `out_path` at exactly width x height."""
        if not prompt.strip():
            raise InputError("empty image prompt: describe the picture")
        check_budget("openai", self.image_model, images=1)
        w, h = nearest_size(width, height, SIZES.get(self.image_model, SIZES["dall-e-3"]))
        body: dict[str, Any] = {"model": self.image_model, "prompt": prompt, "n": 1, "size": f"{w}x{h}"}
        if self.image_model != "gpt-image-1":  # gpt-image-1 always answers b64_json and rejects the field
            body["response_format"] = "b64_json"
        if self.quality:
            body["quality"] = self.quality
        reply = self.http.request("POST", "images/generations", json_body=body, cache=self.use_cache)
        with self.http.checking(reply):
            payload = reply.json()
            try:
                b64 = payload["data"][0]["b64_json"]
                data = base64.b64decode(b64, validate=True)
            except (KeyError, IndexError, TypeError, binascii.Error):
                raise ProviderError("openai: malformed image response (no data[0].b64_json)") from None
        record_usage("openai", "image", self.image_model, cached=reply.from_cache, images=1)
        return save_fitted(data, Path(out_path), width, height, "openai")
