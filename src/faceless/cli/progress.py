"""Progress bars per stage on stderr (rich), silent in --quiet/--json mode."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

STAGES = ["voice", "visuals", "music", "timeline", "render", "outputs"]


class StageBars:
    """A context manager whose `update(stage, fraction, message)` drives one bar per stage."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.console = Console(stderr=True)
        self.progress = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TextColumn("{task.fields[msg]}"),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> StageBars:
        if self.enabled:
            self.progress.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled:
            self.progress.stop()

    def update(self, stage: str, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=1.0, msg="")
        self.progress.update(self.tasks[stage], completed=fraction, msg=message)
