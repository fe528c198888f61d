"""Give each scene the library asset whose description best fits its text, without repeats.

Scores are cosine similarities of sentence embeddings (`embeddings.cached_embeddings`). Assignment is
a global greedy pass over the whole score matrix, best pair first: a scene takes an asset only if no
better-scoring (scene, asset) pair still wants it. Assets are reused only when there are more scenes
than assets, in rounds, so every asset is used once before any is used twice, and a reused asset is
kept off the neighbouring scenes when another choice exists. Ties break on scene then asset order, so
the result is deterministic. A scene whose best remaining score is under `min_score` gets None and
the caller makes a designed visual instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faceless.domain.errors import InputError
from faceless.media.embeddings import TextEmbedder, cached_embeddings
from faceless.media.library import Asset

# Ranking bonus (not added to the returned score) for a video clip on a scene at least
# `prefer_video_for` seconds long: a still held that long looks static even with a Ken Burns move.
VIDEO_BONUS = 0.03


def score_matrix(
    scene_texts: Sequence[str], assets: Sequence[Asset], embedder: TextEmbedder | None = None
) -> np.ndarray:
    """Cosine similarity of every scene text (rows) to every asset description (columns)."""
    if not scene_texts or not assets:
        return np.zeros((len(scene_texts), len(assets)), np.float64)
    s = cached_embeddings(list(scene_texts), embedder)
    a = cached_embeddings([x.match_text for x in assets], embedder)
    # Rounded so that last-bit float noise cannot flip an otherwise tied ranking between machines.
    return np.round((s @ a.T).astype(np.float64), 6)


def match_scenes(
    scenes: list[tuple[str, str]],
    assets: list[Asset],
    *,
    min_score: float = 0.25,
    prefer_video_for: float = 4.0,
    durations: list[float] | None = None,
    embedder: TextEmbedder | None = None,
) -> list[tuple[Asset, float] | None]:
    """For each `(scene_id, text)` the chosen `(asset, cosine score)`, or None if nothing fits.

    `durations` (seconds per scene, optional) lets scenes of `prefer_video_for` seconds or more prefer
    video clips slightly. With the hashing fallback embedder (no model installed) scores run lower,
    so a caller may want a lower `min_score` there.
    """
    if durations is not None and len(durations) != len(scenes):
        raise InputError(
            f"durations has {len(durations)} values for {len(scenes)} scenes; give one per scene"
        )
    n, m = len(scenes), len(assets)
    result: list[tuple[Asset, float] | None] = [None] * n
    if n == 0 or m == 0:
        return result
    score = score_matrix([text for _, text in scenes], assets, embedder)
    rank = score.copy()
    if durations is not None:
        long_scene = np.array([d >= prefer_video_for for d in durations])
        is_video = np.array([a.kind == "video" for a in assets])
        rank += VIDEO_BONUS * np.outer(long_scene, is_video)

    eligible = [(i, j) for i in range(n) for j in range(m) if score[i, j] >= min_score]
    # Best rank first; ties by scene order, then asset order (stable and deterministic).
    eligible.sort(key=lambda ij: (-rank[ij], ij[0], ij[1]))
    chosen: list[int | None] = [None] * n

    def neighbour_has(i: int, j: int) -> bool:
        return any(0 <= k < n and chosen[k] == j for k in (i - 1, i + 1))

    first_round = True
    while True:
        taken: set[int] = set()
        deferred: list[tuple[int, int]] = []
        assigned = 0
        for i, j in eligible:
            if chosen[i] is not None or j in taken:
                continue
            if not first_round and neighbour_has(i, j):
                deferred.append((i, j))  # same clip twice in a row: only if nothing else fits
                continue
            chosen[i] = j
            taken.add(j)
            assigned += 1
        for i, j in deferred:
            if chosen[i] is None and j not in taken:
                chosen[i] = j
                taken.add(j)
                assigned += 1
        first_round = False
        # Reuse is allowed only when the assets cannot cover the scenes once each.
        if assigned == 0 or n <= m or all(c is not None for c in chosen):
            break
    for i, j in enumerate(chosen):
        if j is not None:
            result[i] = (assets[j], float(score[i, j]))
    return result
