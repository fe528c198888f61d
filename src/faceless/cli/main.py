"""`faceless make …`, `faceless render PROJECT.json`, `faceless demo`, `faceless providers`, `faceless voices`."""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import click
import typer

from faceless.domain import FORMATS, FacelessError, InputError, Project, get_format
from faceless.domain.project import CaptionSettings, MusicSettings, VoiceSettings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Faceless: a topic, script or article in; a finished video out.",
)


class Captions(StrEnum):
    pop = "pop"
    classic = "classic"
    minimal = "minimal"
    none = "none"


class Mood(StrEnum):
    calm = "calm"
    upbeat = "upbeat"
    dramatic = "dramatic"
    inspiring = "inspiring"
    dark = "dark"


class Tier(StrEnum):
    draft = "draft"
    final = "final"


class ScriptStyle(StrEnum):
    explainer = "explainer"
    listicle = "listicle"
    story = "story"
    news = "news"


def _provider_list(capability: str, given: list[str] | None, env_default: str) -> list[str]:
    """Provider ids from repeatable/comma-separated options, else the configured default; unknown ids fail now."""
    from faceless.providers import registry
    from faceless.providers.config import load_config

    if given:
        ids = [p.strip().lower() for g in given for p in g.split(",") if p.strip()]
    else:
        configured = load_config().default(capability) or ""
        ids = [p.strip().lower() for p in configured.split(",") if p.strip()]
    for pid in ids:
        registry.check_known(capability, pid.partition(":")[0])
    return list(dict.fromkeys(ids))  # keep order, drop repeats


def _check_voice(spec: str) -> None:
    """Unknown voice providers fail before any work (paths and piper/espeak are checked when used)."""
    from faceless.providers import registry

    for part in (p.strip() for p in spec.split(",")):
        name = part.partition(":")[0].lower()
        if part and not part.endswith(".onnx") and name not in ("piper", "espeak"):
            registry.check_known("tts", name)


def _settings(
    fmt: str, voice: str, speed: float, captions: str, music: str, mood: str, media: list[Path]
) -> dict[str, Any]:
    is_path = music not in ("generated", "none") and ("/" in music or Path(music).exists())
    if music not in ("generated", "none") and not is_path:
        from faceless.providers import registry

        if music.lower() not in {s.id for s in registry.available("music")}:
            raise InputError(
                f"music not found: {music} (give a file, a folder, 'generated', 'none' or a "
                "music service such as jamendo)"
            )
    if is_path and not Path(music).exists():
        raise InputError(f"music not found: {music} (give a file, a folder, 'generated' or 'none')")
    for d in media:
        if not d.is_dir():
            raise InputError(f"--media folder not found: {d} (give a folder of images and videos)")
    return {
        "format": fmt,
        "voice": VoiceSettings(voice=voice, speed=speed),
        "captions": CaptionSettings(style=captions),  # type: ignore[arg-type]
        "music": MusicSettings(source=str(Path(music).resolve()) if is_path else music.lower(), mood=mood),  # type: ignore[arg-type]
        "media_dirs": [str(d.resolve()) for d in media],
    }


def _run(project: Project, out: Path, *, json_out: bool, quiet: bool) -> None:
    from faceless.cli.progress import StageBars
    from faceless.pipeline.context import RunContext
    from faceless.pipeline.runner import render_project

    logging.basicConfig(
        level=logging.ERROR if (quiet or json_out) else logging.WARNING,
        format="warning: %(message)s",
        stream=sys.stderr,
    )
    with StageBars(enabled=not (quiet or json_out) and sys.stderr.isatty()) as bars:
        ctx = RunContext(progress=bars.update)
        result = render_project(project, out, ctx)
    if json_out:
        print(json.dumps(result.summary(), indent=2))
    elif not quiet:
        typer.echo(
            f"{result.outputs['video']}  ({result.duration:.1f} s, {result.scenes} scenes: "
            f"{result.scenes_rendered} rendered, {result.scenes_cached} cached, "
            f"{result.timings.get('total', 0):.1f} s)",
            err=False,
        )


@app.command()
def make(
    script: Annotated[Path | None, typer.Option(help="Narration as plain text or Markdown.")] = None,
    article: Annotated[
        str | None, typer.Option(help="An article (HTML/text file or URL) to summarise.")
    ] = None,
    scenes: Annotated[
        Path | None, typer.Option(help="A JSON list of scenes (narration, optional visual).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="A topic; needs a configured LLM.")] = None,
    duration: Annotated[float, typer.Option(min=5, max=3600, help="Target seconds (article/topic).")] = 60.0,
    format: Annotated[str, typer.Option("--format", help=f"Output preset: {', '.join(FORMATS)}.")] = "shorts",
    voice: Annotated[
        str,
        typer.Option(
            help="piper:joe, a Piper .onnx path, espeak, or provider:voice; "
            "comma-separated for a fallback chain, e.g. elevenlabs:Rachel,piper:joe."
        ),
    ] = "piper:joe",
    speed: Annotated[float, typer.Option(min=0.5, max=2.0, help="Speaking speed.")] = 1.0,
    captions: Annotated[Captions, typer.Option(help="Caption style.")] = Captions.pop,
    media: Annotated[
        list[Path] | None, typer.Option(help="Folder of your images/videos (repeatable).")
    ] = None,
    music: Annotated[
        str,
        typer.Option(
            help="'generated', 'none', a file, a folder (tracks tagged by mood), "
            "or a music service: jamendo (needs JAMENDO_CLIENT_ID)."
        ),
    ] = "generated",
    mood: Annotated[Mood, typer.Option(help="Music mood.")] = Mood.calm,
    stock: Annotated[
        list[str] | None,
        typer.Option(
            help="Stock library to search per scene: pexels, pixabay, unsplash (repeatable; needs its key)."
        ),
    ] = None,
    images: Annotated[
        list[str] | None,
        typer.Option(
            help="Image generator for scenes nothing else matched: "
            "openai, stability (repeatable: a fallback chain)."
        ),
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            help="LLM for --topic: provider[:model], comma-separated for a "
            "fallback chain, e.g. anthropic,openai:gpt-4o-mini."
        ),
    ] = None,
    tier: Annotated[
        Tier, typer.Option(help="Model tier for --topic: draft (cheap model) or final.")
    ] = Tier.final,
    style: Annotated[ScriptStyle, typer.Option(help="Script template for --topic.")] = ScriptStyle.explainer,
    tone: Annotated[
        str, typer.Option(help="Tone of the --topic script, e.g. friendly, dramatic.")
    ] = "friendly",
    title: Annotated[str | None, typer.Option(help="Video title (thumbnail, metadata).")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("out"),
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Make a video from a script, an article, a scene list or a topic."""
    from faceless.pipeline.stages import plan

    given = [x for x in (script, article, scenes, topic) if x is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one input: --script FILE, --article FILE_OR_URL, --scenes FILE.json or --topic TEXT"
        )
    settings = _settings(
        get_format(format).name, voice, speed, captions.value, music, mood.value, media or []
    )
    if title:
        settings["title"] = title
    settings["stock"] = _provider_list("stock", stock, "FACELESS_STOCK")
    settings["images"] = _provider_list("image", images, "FACELESS_IMAGE")
    _check_voice(voice)
    if script is not None:
        project = plan.project_from_script(plan.read_text_file(script, "script"), **settings)
    elif article is not None:
        project = plan.project_from_article(article, duration=duration, **settings)
    elif scenes is not None:
        project = plan.project_from_scenes_file(scenes, **settings)
    else:
        project = plan.project_from_topic(
            topic or "", duration=duration, llm=llm, tier=tier.value, style=style.value, tone=tone, **settings
        )
    _run(project, out, json_out=json_out, quiet=quiet)


@app.command()
def render(
    project_file: Annotated[Path, typer.Argument(help="A project.json (edited or not).")],
    out: Annotated[Path | None, typer.Option(help="Output folder (default: the project's folder).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Render a saved project again; only changed scenes are re-encoded."""
    from faceless.pipeline.stages.plan import read_text_file

    project = Project.from_json(read_text_file(project_file, "project"))
    _run(project, out or project_file.parent, json_out=json_out, quiet=quiet)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("demo"),
    json_out: Annotated[bool, typer.Option("--json")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Make the demo short offline (Piper voice, designed visuals, generated music)."""
    from faceless.pipeline.stages import plan

    text = resources.files("faceless.assets").joinpath("demo_script.md").read_text(encoding="utf-8")
    settings = _settings("shorts", "piper:joe", 1.0, "pop", "generated", "inspiring", [])
    _run(plan.project_from_script(text, **settings), out, json_out=json_out, quiet=quiet)


@app.command()
def voices(
    provider: Annotated[
        str | None,
        typer.Option(help="List a voice service's voices, e.g. elevenlabs, openai, azure (needs its key)."),
    ] = None,
) -> None:
    """List the offline voices, or a provider's voices (`--voice` takes `provider:ID`)."""
    if provider and provider.lower() not in ("piper", "espeak"):
        from faceless.providers import registry

        name = provider.lower()
        for v in registry.create("tts", name).voices():
            typer.echo(f"{name}:{v.id}\t{v.name}\t{v.language}" + (f"\t{v.gender}" if v.gender else ""))
        return
    from faceless.providers.piper import PiperTTS

    for v in PiperTTS().voices():
        typer.echo(f"piper:{v.id}\t{v.name}\t{v.language}")
    typer.echo("espeak\tespeak-ng (robotic fallback)\ten")


@app.command()
def providers(json_out: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every provider with its status (ready / missing key / missing package)."""
    from faceless.providers import registry

    rows = registry.available()
    problems = registry.config_problems()
    if json_out:
        out = [
            {
                **r.__dict__,
                "ready": r.ready,
                "options": registry.default_registry.options_schema(r.capability, r.id),
            }
            for r in rows
        ]
        print(json.dumps({"providers": out, "config_problems": problems}, indent=2, default=str))
        return
    for problem in problems:
        typer.echo(f"warning: {problem}", err=True)
    from rich.console import Console
    from rich.table import Table

    table = Table("capability", "id", "status", "detail")
    for r in rows:
        table.add_row(r.capability, r.id, r.status, getattr(r, "detail", "") or "")
    Console().print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=0, help="Render worker processes started alongside (0: none).")
    ] = 1,
    http_workers: Annotated[
        int | None, typer.Option(min=1, max=64, help="HTTP server processes (default: one per CPU, up to 4).")
    ] = None,
) -> None:
    """Run the API, the web app and render workers (SQLite + local files unless configured otherwise)."""
    import os

    import uvicorn

    from faceless.server.app import create_app
    from faceless.service.db import make_engine, upgrade_database
    from faceless.service.settings import Settings
    from faceless.worker import embedded

    # Several processes serve HTTP (the GIL allows one Python thread at a time per process);
    # the children read the same FACELESS_* environment, told how many they are for the rate limits.
    http_workers = http_workers or max(1, min(4, os.cpu_count() or 1))
    os.environ["FACELESS_HTTP_WORKERS"] = str(http_workers)
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.ensure_secret_key()  # once, before the children read it
    engine = make_engine(settings.database_url)
    upgrade_database(engine)  # once here; the children find nothing to do
    engine.dispose()
    typer.echo(
        f"Faceless on http://{host}:{port}/  (data: {settings.data_dir}, database: "
        f"{settings.database_url.split('@')[-1]}, HTTP processes: {http_workers}, render workers: "
        f"{workers})",
        err=True,
    )

    def run_http() -> None:
        if http_workers == 1:
            # One process: the stdlib loop. Saturated, uvloop serves at the same rate but lets some
            # requests wait ~1 s (p99 1.2 s vs 70 ms, benchmarks/RESULTS.md); with several processes
            # uvloop spreads new connections evenly between them, and the stdlib loop does not.
            uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True, loop="asyncio")
        else:
            uvicorn.run(
                "faceless.server.app:serve_app",
                factory=True,
                workers=http_workers,
                host=host,
                port=port,
                proxy_headers=True,
            )

    if workers:
        with embedded(settings, processes=workers):
            run_http()
    else:
        run_http()


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs rendered at once by this process.")] = 1,
) -> None:
    """Run a render worker (on any machine that reaches the database and the queue)."""
    from faceless.worker.__main__ import main as worker_main

    worker_main(["--concurrency", str(concurrency)])


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 ok, 2 bad input (one line naming the problem), 1 internal failure."""
    try:
        app(args=argv, standalone_mode=False)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except click.exceptions.Exit as e:
        return int(e.exit_code or 0)
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except click.ClickException as e:
        print(f"error: {e.format_message()}", file=sys.stderr)
        return 2
    except FacelessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - the last line of defence prints one line, not a traceback
        logging.getLogger("faceless").debug("internal failure", exc_info=True)
        print(
            f"error: internal failure: {type(e).__name__}: {e} (re-run with FACELESS_DEBUG=1 for details)",
            file=sys.stderr,
        )
        if __import__("os").environ.get("FACELESS_DEBUG"):
            raise
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())
