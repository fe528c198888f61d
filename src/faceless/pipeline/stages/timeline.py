"""Stage 7: place every scene on the frame grid (pure)."""

from __future__ import annotations

from faceless.domain import Project, SceneClip, Timeline, get_format
from faceless.pipeline.stages.voice import SceneSpeech


def compose_timeline(project: Project, speeches: list[SceneSpeech], music_path: str | None) -> Timeline:
    """Scenes back to back; each lasts its fitted voice; words stay relative to their scene."""
    fmt = get_format(project.format)
    clips: list[SceneClip] = []
    start = 0
    for i, (scene, sp) in enumerate(zip(project.scenes, speeches, strict=True)):
        assert scene.visual is not None, "visuals stage must run first"
        clips.append(
            SceneClip(
                scene_id=scene.id,
                index=i,
                start_frame=start,
                frames=sp.frames,
                voice_path=str(sp.voice_path),
                words=sp.words,
                visual=scene.visual,
                keywords=scene.keywords,
                narration=scene.narration,
            )
        )
        start += sp.frames
    return Timeline(
        width=fmt.width,
        height=fmt.height,
        format=fmt.name,
        caption_style=project.captions.style,
        highlight_colour=project.captions.highlight_colour,
        title=project.title,
        clips=clips,
        music_path=music_path,
        music_volume_db=project.music.volume_db,
    )
