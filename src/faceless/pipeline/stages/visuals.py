"""Stage 5: one visual per scene — the user's pin, a library match by meaning, or a designed card."""

from __future__ import annotations

from pathlib import Path

from faceless.domain import MediaRejected, Project, Scene, VisualChoice
from faceless.pipeline.context import RunContext

DESIGNED = VisualChoice(kind="designed", source="designed")


def match_text(scene: Scene) -> str:
    """What a scene is about, for matching: intent first, then keywords, then the narration."""
    parts = [scene.visual_intent, " ".join(scene.keywords), scene.narration]
    return ". ".join(p for p in parts if p)


def _still_valid(choice: VisualChoice | None) -> bool:
    if choice is None:
        return False
    return choice.kind == "designed" or bool(choice.path and Path(choice.path).is_file())


def visuals_stage(project: Project, durations: list[float], ctx: RunContext) -> Project:
    """Return a copy of `project` where every scene has a visual; earlier choices are kept."""
    scenes = list(project.scenes)
    for i, scene in enumerate(scenes):
        if scene.visual is not None and not _still_valid(scene.visual):
            ctx.warning(f"scene {i + 1}: visual {scene.visual.path} is gone; choosing a new one")
            scenes[i] = scene.model_copy(update={"visual": None})
    todo = [i for i, s in enumerate(scenes) if s.visual is None and s.visual_preference in ("auto", "library")]
    if todo and project.media_dirs:
        from faceless.media.library import index_library
        from faceless.media.match import match_scenes

        assets = []
        for directory in project.media_dirs:
            d = Path(directory)
            if not d.is_dir():
                ctx.warning(f"media folder not found: {d} (skipped)")
                continue

            def reject(err: MediaRejected) -> None:
                ctx.warning(f"skipped {err.path}: {err.reason}")

            assets += index_library(d, on_reject=reject)
        used = {s.visual.path for s in scenes if s.visual and s.visual.path}
        free = [a for a in assets if str(a.path) not in used]
        ctx.count("library_assets", len(assets))
        if free:
            matches = match_scenes(
                [(scenes[i].id, match_text(scenes[i])) for i in todo], free,
                durations=[durations[i] for i in todo],
            )
            for i, m in zip(todo, matches, strict=True):
                if m is None:
                    continue
                asset, score = m
                scenes[i] = scenes[i].model_copy(update={"visual": VisualChoice(
                    kind=asset.kind, path=str(asset.path), source=asset.source or "library",
                    licence=asset.licence or "user library (licence not stated)",
                    attribution=asset.attribution, score=round(float(score), 4),
                    description=asset.description,
                )})
    for i, s in enumerate(scenes):
        if s.visual is None:
            scenes[i] = s.model_copy(update={"visual": DESIGNED})
    ctx.count("visual_designed", sum(1 for s in scenes if s.visual and s.visual.kind == "designed"))
    return project.model_copy(update={"scenes": scenes})
