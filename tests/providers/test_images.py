"""OpenAI Images and Stability AI against fake servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from faceless.domain.errors import ProviderError
from faceless.providers.openai import OpenAIImages
from faceless.providers.stability import StabilityImages

from .conftest import Media, Sleeps
from .fakes.media import install_openai_images, install_stability
from .fakes.server import Answer, FakeServer


def test_openai_images_b64_fitted_to_frame(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_openai_images(server, key="sk-img-1234", png=media.png)
    gen = OpenAIImages(api_key="sk-img-1234", base_url=server.url + "/v1", sleep=sleeps)
    out = gen.generate("a lighthouse at dawn", tmp_path / "s1.png", width=108, height=192)
    body = server.requests[-1].json()
    assert body == {
        "model": "dall-e-3",
        "prompt": "a lighthouse at dawn",
        "n": 1,
        "size": "1024x1792",
        "response_format": "b64_json",
    }
    with Image.open(out) as img:
        assert img.size == (108, 192)
    gen.generate("a lighthouse at dawn", tmp_path / "again.png", width=108, height=192)
    assert len(server.requests) == 1  # cached: no second generation, no second charge


def test_openai_images_malformed(server: FakeServer, sleeps: Sleeps, tmp_path: Path) -> None:
    server.route("POST", "/v1/images/generations", lambda r: Answer(200, {"data": [{"url": "https://x"}]}))
    with pytest.raises(ProviderError, match="no data\\[0\\].b64_json"):
        OpenAIImages(api_key="sk-img-1234", base_url=server.url + "/v1", sleep=sleeps).generate(
            "x", tmp_path / "x.png", width=10, height=10
        )


def test_stability_multipart_request(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_stability(server, key="sk-stab-5678", png=media.png)
    gen = StabilityImages(api_key="sk-stab-5678", base_url=server.url, sleep=sleeps)
    out = gen.generate("a fox in snow", tmp_path / "fox.jpg", width=192, height=108)
    req = server.requests[-1]
    assert req.headers["accept"] == "image/*" and req.headers["authorization"] == "Bearer sk-stab-5678"
    assert req.headers["content-type"].startswith("multipart/form-data")
    body = req.body.decode()
    assert 'name="prompt"' in body and "a fox in snow" in body
    assert 'name="aspect_ratio"\r\n\r\n16:9' in body and 'name="output_format"\r\n\r\npng' in body
    with Image.open(out) as img:
        assert img.size == (192, 108) and img.format == "JPEG"


def test_stability_content_filter_and_auth(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_stability(server, key="sk-stab-5678", png=media.png)
    with pytest.raises(ProviderError, match="content filter"):
        StabilityImages(api_key="sk-stab-5678", base_url=server.url, sleep=sleeps).generate(
            "forbidden thing", tmp_path / "f.png", width=10, height=10
        )
    with pytest.raises(ProviderError, match="authentication failed .*STABILITY_API_KEY"):
        StabilityImages(api_key="sk-wrong-000", base_url=server.url, sleep=sleeps).generate(
            "ok", tmp_path / "f.png", width=10, height=10
        )
