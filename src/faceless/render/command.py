"""An ffmpeg invocation as plain data, so it can be built purely and snapshot-tested."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

# Inputs may only be read through these protocols: never http, tcp, concat: or the like.
PROTOCOL_WHITELIST = "file,pipe"


def file_url(path: str | os.PathLike[str]) -> str:
    """`file:` + absolute path, so a name like `concat:x` or `http:...` is never a protocol."""
    return "file:" + os.path.abspath(os.fspath(path))


@dataclass
class Input:
    """One `-i` with the options that go before it. `lavfi` inputs are sources, not files."""

    source: str
    options: list[str] = field(default_factory=list)
    lavfi: bool = False

    def argv(self) -> list[str]:
        if self.lavfi:
            return [*self.options, "-f", "lavfi", "-i", self.source]
        return [*self.options, "-protocol_whitelist", PROTOCOL_WHITELIST, "-i", file_url(self.source)]


@dataclass
class FFmpegCommand:
    """A whole ffmpeg call: inputs, an optional filter graph, output options and the output path."""

    inputs: list[Input]
    output: str
    filter_complex: str | None = None
    output_options: list[str] = field(default_factory=list)
    global_options: list[str] = field(default_factory=list)

    def argv(self, ffmpeg: str = "ffmpeg", *, output: str | None = None) -> list[str]:
        args = [ffmpeg, "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *self.global_options]
        for inp in self.inputs:
            args += inp.argv()
        if self.filter_complex:
            args += ["-filter_complex", self.filter_complex]
        args += self.output_options
        args.append(output or self.output)
        return args
