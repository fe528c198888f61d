"""embeddings: the bundled ONNX MiniLM, a user-supplied model, the cache and the hashing fallback."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from faceless.domain.errors import InputError
from faceless.media import embeddings
from faceless.media.embeddings import Embedder, HashingEmbedder, cached_embeddings, embed_texts


def test_vectors_are_normalised_float32_384() -> None:
    v = embed_texts(["A quiet forest at dawn.", "", "Stock markets fell sharply today."])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert embed_texts([]).shape == (0, 384)


def test_similar_sentences_score_higher() -> None:
    q, near, far = embed_texts(["waves crashing on the beach", "ocean waves", "a cup of coffee"])
    assert q @ near > 0.5 > q @ far


def test_batching_and_order_do_not_change_vectors() -> None:
    texts = [f"sentence {i} " + "word " * (i % 7) for i in range(70)]  # three batches of 32
    together = embed_texts(texts)
    alone = np.stack([embed_texts([t])[0] for t in texts[::10]])
    assert np.allclose(together[::10], alone, atol=1e-4)


def test_user_supplied_model_paths() -> None:
    model, tok = Embedder.bundled_paths()
    own = Embedder(model, tok)
    assert own.model_id.startswith("onnx-")
    assert np.allclose(own.embed(["hello world"]), embed_texts(["hello world"]), atol=1e-5)


def test_missing_model_files_are_a_clear_error(tmp_path: Path) -> None:
    model, _ = Embedder.bundled_paths()
    with pytest.raises(InputError, match="tokenizer.json not found"):
        Embedder(model, tmp_path / "tokenizer.json")
    with pytest.raises(InputError, match="ONNX model not found"):
        Embedder(tmp_path / "m.onnx", tmp_path / "t.json")
    with pytest.raises(InputError, match="both"):
        Embedder(model)


def test_session_loads_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    emb = Embedder()
    loads: list[int] = []
    real = emb.bundled_paths
    monkeypatch.setattr(emb, "bundled_paths", lambda: loads.append(1) or real())
    results: list[np.ndarray] = []
    threads = [threading.Thread(target=lambda: results.append(emb.embed(["same text"]))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [1] and len(results) == 4
    assert all(np.allclose(r, results[0], atol=1e-6) for r in results)


def test_fallback_when_the_model_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(self: Embedder) -> None:
        raise ImportError("No module named 'onnxruntime'")

    monkeypatch.setattr(Embedder, "load", broken)
    monkeypatch.setattr(embeddings, "_default", None)
    with caplog.at_level(logging.WARNING, logger="faceless.media.embeddings"):
        v = embed_texts(["ocean waves at sunset", "waves on the ocean", "tax forms"])
    assert "falling back to hashed bag-of-words" in caplog.text
    assert isinstance(embeddings._default, HashingEmbedder)
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.3 and abs(v[0] @ v[2]) < 0.2


def test_hashing_embedder_is_deterministic() -> None:
    a = HashingEmbedder().embed(["city skyline at night"])
    b = HashingEmbedder().embed(["city skyline at night"])
    assert np.array_equal(a, b) and HashingEmbedder().embed([]).shape == (0, 384)


def test_cached_embeddings_compute_each_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    class Counting(HashingEmbedder):
        model_id = "counting-test"

        def embed(self, texts):  # type: ignore[no-untyped-def]
            seen.extend(texts)
            return super().embed(texts)

    emb = Counting()
    first = cached_embeddings(["a red barn", "a white cliff"], emb)
    second = cached_embeddings(["a white cliff", "a red barn", "a new text"], emb)
    assert seen == ["a red barn", "a white cliff", "a new text"]
    assert np.array_equal(first[0], second[1]) and np.array_equal(first[1], second[0])
