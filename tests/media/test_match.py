"""match_scenes: best asset per scene, no repeats, reuse only when short of assets, None when nothing fits."""

from __future__ import annotations

from pathlib import Path

import pytest

from faceless.domain.errors import InputError
from faceless.media.embeddings import HashingEmbedder
from faceless.media.library import Asset, index_library
from faceless.media.match import match_scenes


def asset(description: str, kind: str = "image", tags: list[str] | None = None) -> Asset:
    name = description.replace(" ", "_")
    return Asset(
        path=Path(f"/lib/{name}"),
        kind=kind,
        width=640,
        height=360,  # type: ignore[arg-type]
        duration=5.0 if kind == "video" else 0.0,
        description=description,
        tags=tags or [],
        key=name,
    )


ASSETS = [
    asset("ocean waves", "video"),
    asset("city skyline night"),
    asset("forest trail"),
    asset("a steaming cup of coffee on a wooden table", tags=["coffee", "morning"]),
]


def names(result: list[tuple[Asset, float] | None]) -> list[str | None]:
    return [r[0].description if r else None for r in result]


def test_each_scene_gets_the_fitting_asset_without_repeats() -> None:
    scenes = [
        ("s1", "Waves crashing on the beach"),
        ("s2", "The skyline at night"),
        ("s3", "A walk along a path through the woods"),
    ]
    result = match_scenes(scenes, ASSETS)
    assert names(result) == ["ocean waves", "city skyline night", "forest trail"]
    assert all(r is not None and 0.25 <= r[1] <= 1.0 for r in result)


def test_no_repeats_even_when_two_scenes_want_the_same_asset() -> None:
    scenes = [("a", "the ocean"), ("b", "big waves in the sea"), ("c", "morning coffee")]
    result = match_scenes(scenes, ASSETS, min_score=0.0)
    chosen = names(result)
    assert len(set(chosen)) == 3 and "ocean waves" in chosen and chosen[2].startswith("a steaming cup")


def test_unrelated_scene_gets_none_when_min_score_is_high() -> None:
    scenes = [("s1", "waves crashing on the beach"), ("s2", "quarterly tax forms and invoices")]
    result = match_scenes(scenes, ASSETS, min_score=0.45)
    assert names(result) == ["ocean waves", None]


def test_reuse_only_when_scenes_outnumber_assets_and_not_back_to_back() -> None:
    two = [asset("ocean waves", "video"), asset("city skyline night")]
    scenes = [
        (f"s{i}", text)
        for i, text in enumerate(
            ["ocean waves", "city at night", "sea waves", "night skyline", "the ocean at dawn"]
        )
    ]
    chosen = names(match_scenes(scenes, two, min_score=0.0))
    assert None not in chosen
    assert {chosen.count("ocean waves"), chosen.count("city skyline night")} <= {2, 3}
    assert all(a != b for a, b in zip(chosen, chosen[1:], strict=False))
    # With as many assets as scenes, nothing is reused even if it would score higher.
    chosen = names(match_scenes(scenes[:2], two, min_score=0.0))
    assert sorted(chosen) == ["city skyline night", "ocean waves"]  # type: ignore[type-var]


def test_long_scenes_prefer_video_on_a_near_tie() -> None:
    pair = [asset("ocean waves", "image"), asset("ocean waves", "video")]
    scenes = [("s", "ocean waves")]
    assert match_scenes(scenes, pair, durations=[6.0])[0][0].kind == "video"  # type: ignore[index]
    assert match_scenes(scenes, pair, durations=[2.0])[0][0].kind == "image"  # type: ignore[index]
    with pytest.raises(InputError, match="one per scene"):
        match_scenes(scenes, pair, durations=[1.0, 2.0])


def test_deterministic_and_empty_inputs() -> None:
    scenes = [(str(i), t) for i, t in enumerate(["coffee", "forest", "night city", "beach", "trees"])]
    assert names(match_scenes(scenes, ASSETS)) == names(match_scenes(scenes, list(ASSETS)))
    assert match_scenes([], ASSETS) == [] and match_scenes(scenes, []) == [None] * 5


def test_works_with_the_hashing_fallback() -> None:
    result = match_scenes([("s", "ocean waves crashing")], ASSETS, embedder=HashingEmbedder(), min_score=0.1)
    assert names(result) == ["ocean waves"]


@pytest.mark.slow
def test_matching_the_indexed_sample_library(media_folder: Path) -> None:
    assets = index_library(media_folder, on_reject=lambda e: None, thumbnails=False)
    scenes = [
        ("1", "waves crashing on the beach"),
        ("2", "the skyline at night"),
        ("3", "an espresso to start the day"),
    ]
    result = match_scenes(scenes, assets, durations=[5.0, 3.0, 3.0])
    assert [r[0].path.name if r else None for r in result] == [
        "ocean_waves.mp4",
        "city_skyline_night.jpg",
        "coffee_cup.jpg",
    ]
