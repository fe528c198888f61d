"""Pure pipeline pieces: frame grid, timeline composition, segment cache keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from faceless.domain import InputError, Project, Scene, VisualChoice, Word
from faceless.domain.timeline import frames_to_seconds, seconds_to_frames
from faceless.pipeline.stages.plan import project_from_scenes_file, project_from_script
from faceless.pipeline.stages.render import segment_key
from faceless.pipeline.stages.timeline import compose_timeline
from faceless.pipeline.stages.voice import MIN_SCENE_FRAMES, SceneSpeech, scene_frames


def test_frames_cover_the_audio() -> None:
    assert seconds_to_frames(1.0) == 30
    assert seconds_to_frames(1.001) == 31  # never cut speech
    assert seconds_to_frames(0.1 + 0.2) == 9  # no float drift: 0.30000000000000004 s is 9 frames
    assert frames_to_seconds(45) == 1.5
    assert scene_frames(0.2, 0.0) == MIN_SCENE_FRAMES
    assert scene_frames(2.5, 0.3) == 84


def _project(n: int) -> Project:
    return Project(
        scenes=[
            Scene(
                id=f"s{i}",
                narration=f"Scene number {i}.",
                keywords=["k"],
                visual=VisualChoice(kind="designed"),
            )
            for i in range(n)
        ]
    )


def _speeches(frames: list[int]) -> list[SceneSpeech]:
    return [
        SceneSpeech(
            f"s{i}", f, Path(f"/tmp/v{i}.wav"), [Word(text="Scene", start=0.1, end=0.4)], f / 30, False
        )
        for i, f in enumerate(frames)
    ]


def test_compose_places_scenes_back_to_back() -> None:
    tl = compose_timeline(_project(3), _speeches([40, 75, 31]), None)
    assert [c.start_frame for c in tl.clips] == [0, 40, 115]
    assert tl.total_frames == 146 and tl.duration == pytest.approx(146 / 30)
    words = tl.absolute_words()
    assert [round(w.start, 4) for w in words] == [0.1, round(40 / 30 + 0.1, 4), round(115 / 30 + 0.1, 4)]


def test_segment_key_ignores_position_but_not_content() -> None:
    tl = compose_timeline(_project(3), _speeches([40, 75, 31]), None)
    moved = compose_timeline(_project(3), _speeches([60, 75, 31]), None)  # scene 0 got longer
    assert segment_key(tl.clips[1], tl, "enc") == segment_key(moved.clips[1], moved, "enc")
    assert segment_key(tl.clips[0], tl, "enc") != segment_key(moved.clips[0], moved, "enc")
    other_style = tl.model_copy(update={"caption_style": "classic"})
    assert segment_key(tl.clips[1], tl, "enc") != segment_key(tl.clips[1], other_style, "enc")


def test_project_round_trips_and_rejects_bad_json() -> None:
    p = project_from_script("Octopuses have three hearts. They also have blue blood!\n\nThe end.")
    again = Project.from_json(p.to_json())
    assert again == p and again.scenes[0].keywords
    with pytest.raises(InputError, match="schema"):
        Project.from_data({"schema": "faceless.project/99", "scenes": []})
    with pytest.raises(InputError, match="narration"):
        Project.from_data({"scenes": [{"id": "a", "narration": "  "}]})


def test_scenes_file_with_pinned_visual(tmp_path: Path) -> None:
    from faceless.testing.media import make_image

    make_image(tmp_path / "pic.png", size="64x64")
    f = tmp_path / "scenes.json"
    f.write_text(
        '{"title": "T", "scenes": [{"narration": "Hello there.", "visual": "pic.png"}, "Second one."]}'
    )
    p = project_from_scenes_file(f)
    assert p.title == "T" and len(p.scenes) == 2
    assert p.scenes[0].visual is not None and p.scenes[0].visual.pinned and p.scenes[0].visual.kind == "image"
    assert p.scenes[1].visual is None
    f.write_text('[{"narration": "x", "visual": "missing.png"}]')
    with pytest.raises(InputError, match="not found"):
        project_from_scenes_file(f)
