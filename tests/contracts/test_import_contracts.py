"""The layer contracts in pyproject.toml ([tool.importlinter]) hold, and a wrong-way import breaks them.

Each wrong-way case copies the package to a temporary folder, adds one bad import, and runs `lint-imports`
on the copy (found first on PYTHONPATH), so the check CI runs is shown to fail where it should."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_tree_keeps_its_contracts() -> None:
    done = _lint(ROOT / "src", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("worker/render_job.py", "import faceless.server.app", "Layers"),
        ("server/errors.py", "import faceless.worker.service", "Layers"),
        ("service/jobs.py", "import faceless.server.deps", "Layers"),
        ("domain/project.py", "import faceless.storage.keys", "The domain imports nothing"),
    ],
)
def test_a_wrong_way_import_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "faceless",
        src / "faceless",
        ignore=shutil.ignore_patterns("__pycache__", "web", "assets", "docs_static"),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = src / "faceless" / module
    target.write_text(target.read_text() + f"\n{bad_import}  # the wrong way\n")
    done = _lint(src, tmp_path)
    assert done.returncode != 0, done.stdout
    broken = [line for line in done.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), done.stdout
    assert bad_import.split()[-1] in done.stdout  # the report names the offending import
