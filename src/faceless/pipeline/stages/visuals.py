"""Stage 5: one visual per scene — the user's pin, a library match by meaning, stock, a generated
image, or a designed card."""

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
    todo = [
        i for i, s in enumerate(scenes) if s.visual is None and s.visual_preference in ("auto", "library")
    ]
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
                [(scenes[i].id, match_text(scenes[i])) for i in todo],
                free,
                durations=[durations[i] for i in todo],
            )
            for i, m in zip(todo, matches, strict=True):
                if m is None:
                    continue
                asset, score = m
                scenes[i] = scenes[i].model_copy(
                    update={
                        "visual": VisualChoice(
                            kind=asset.kind,
                            path=str(asset.path),
                            source=asset.source or "library",
                            licence=asset.licence or "user library (licence not stated)",
                            attribution=asset.attribution,
                            score=round(float(score), 4),
                            description=asset.description,
                        )
                    }
                )
    todo = [i for i, s in enumerate(scenes) if s.visual is None and s.visual_preference in ("auto", "stock")]
    if todo and project.stock:
        _stock_visuals(project, scenes, todo, durations, ctx)
    # Generated last in "auto": a real photo or clip that matches beats a synthetic one, and it costs nothing.
    wanted = ("auto", "generated") if project.images else ("generated",)
    todo = [i for i, s in enumerate(scenes) if s.visual is None and s.visual_preference in wanted]
    if todo:
        from faceless.pipeline.stages.generated import generated_visuals

        generated_visuals(project, scenes, todo, ctx)
    for i, s in enumerate(scenes):
        if s.visual is None:
            scenes[i] = s.model_copy(update={"visual": DESIGNED})
    ctx.count("visual_designed", sum(1 for s in scenes if s.visual and s.visual.kind == "designed"))
    return project.model_copy(update={"scenes": scenes})


def _orientation(fmt_name: str) -> str:
    from faceless.domain import get_format

    fmt = get_format(fmt_name)
    return "portrait" if fmt.height > fmt.width else "landscape" if fmt.width > fmt.height else "square"


def _stock_visuals(
    project: Project, scenes: list[Scene], todo: list[int], durations: list[float], ctx: RunContext
) -> None:
    """Search the configured stock libraries per scene, re-ranked by meaning; download the best unused hit."""
    from faceless.domain import ProviderError
    from faceless.media.embeddings import embed_texts
    from faceless.media.validate import check_media, kind_of
    from faceless.providers import registry
    from faceless.providers.stock_support import search_scene

    providers = {}
    for pid in project.stock:
        try:
            providers[pid] = registry.create("stock", pid)
        except ProviderError as e:
            ctx.warning(f"stock provider {pid} unavailable: {e}")
    if not providers:
        return
    used = {s.visual.url for s in scenes if s.visual and s.visual.url}
    dest = ctx.cache.root / "stock"
    dest.mkdir(parents=True, exist_ok=True)
    orientation = _orientation(project.format)
    for n, i in enumerate(todo):
        ctx.check_cancelled()
        scene = scenes[i]
        kind = "video" if durations[i] >= 4.0 else "image"
        try:
            found = search_scene(
                list(providers.values()),
                match_text(scene),
                scene.keywords,
                kind=kind,
                orientation=orientation,
                limit=8,
                embed=embed_texts,
            )
        except ProviderError as e:
            ctx.warning(f"scene {i + 1}: stock search failed ({e}); using a designed visual")
            continue
        for c in found:
            if (c.page_url or c.url) in used:
                continue
            try:
                path = providers[c.source].download(c, dest) if c.source in providers else None
                if path is None:
                    continue
                info = check_media(Path(path))
            except (ProviderError, MediaRejected) as e:
                ctx.warning(f"scene {i + 1}: stock download {c.id} skipped ({e})")
                continue
            used.add(c.page_url or c.url)
            scenes[i] = scene.model_copy(
                update={
                    "visual": VisualChoice(
                        kind=kind_of(info),
                        path=str(path),
                        source=c.source,
                        licence=c.licence or "see source",
                        attribution=c.attribution,
                        url=c.page_url or c.url,
                        description=c.description,
                        score=round(float(c.extra.get("score", 0.0)), 4)
                        if isinstance(c.extra, dict)
                        else 0.0,
                    )
                }
            )
            ctx.count("visual_stock")
            break
        ctx.progress("visuals", (n + 1) / len(todo), f"stock {n + 1}/{len(todo)}")
