"""The local media library: validate files by content, index and describe them, match them to scenes.

- `validate.check_media(path)`: refuse anything that is not plainly a picture/clip/sound we accept.
- `library.index_library(folder)`: cached list of `Asset`s (kind, size, description, thumbnail).
- `embeddings.embed_texts(texts)`: offline MiniLM sentence vectors (hashing fallback).
- `match.match_scenes(scenes, assets)`: one asset per scene, no repeats, None when nothing fits.
"""

from faceless.media.library import Asset, index_library
from faceless.media.match import match_scenes
from faceless.media.validate import check_media, kind_of

__all__ = ["Asset", "check_media", "index_library", "kind_of", "match_scenes"]
