"""What the image generators share: verify the bytes are an image and fit them to the frame."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from faceless.domain.errors import ProviderError

MAX_PIXELS = 40_000_000  # refuse decompression bombs from a misbehaving endpoint


def save_fitted(data: bytes, out_path: Path, width: int, height: int, provider: str) -> Path:
    """Decode `data`, cover-crop it to width x height and save (format from `out_path`'s suffix)."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise ProviderError(f"{provider}: generated image too large ({img.width}x{img.height})")
            img.load()
            fitted = ImageOps.fit(img.convert("RGB"), (width, height), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as exc:
        raise ProviderError(f"{provider}: the response is not a readable image ({exc})") from None
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.part{out_path.suffix}")
    fitted.save(tmp)
    tmp.replace(out_path)
    return out_path


def nearest_size(width: int, height: int, sizes: list[tuple[int, int]]) -> tuple[int, int]:
    """The vendor size whose aspect ratio is closest to width/height."""
    want = width / height
    return min(sizes, key=lambda s: abs(s[0] / s[1] - want))
