"""`faceless make --topic` through the OpenAI-compatible provider pointed at a local fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faceless.cli.main import main
from providers.fakes.llm import install_openai_chat
from providers.fakes.server import FakeServer, Request

pytestmark = pytest.mark.slow

LLM_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "GEMINI_API_KEY",
    "FACELESS_LLM",
    "FACELESS_CONFIG",
)


@pytest.fixture(autouse=True)
def _no_llm_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FACELESS_CONFIG", str(tmp_path / "none.toml"))


def test_topic_without_llm_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["make", "--topic", "octopuses", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "OPENAI_API_KEY" in err and "--script" in err and len(err.strip().splitlines()) == 1


def test_topic_through_openai_compatible_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sent: list[dict] = []

    def reply(req: Request) -> dict:
        sent.append(req.json())
        return {
            "title": "Octopus hearts",
            "description": "Why octopuses need three hearts.",
            "hashtags": ["#octopus", "#science"],
            "scenes": [
                {
                    "narration": "Octopuses have three hearts.",
                    "keywords": ["octopus", "hearts"],
                    "visual_intent": "an octopus swimming",
                },
                {
                    "narration": "Two pump blood through the gills.",
                    "keywords": ["gills"],
                    "visual_intent": "close-up of gills",
                },
            ],
        }

    server = FakeServer().start()
    try:
        install_openai_chat(server, key="sk-test-123", reply=reply)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        code = main(
            [
                "make",
                "--topic",
                "why octopuses have three hearts",
                "--duration",
                "10",
                "--music",
                "none",
                "--format",
                "square",
                "--out",
                str(tmp_path / "out"),
                "--json",
            ]
        )
        out, err = capsys.readouterr()
    finally:
        server.stop()
    assert code == 0, err
    summary = json.loads(out)
    assert summary["scenes"] == 2
    body = sent[0]
    assert body["response_format"]["type"] == "json_schema"
    assert "octopuses" in json.dumps(body["messages"]).lower()
    project = json.loads((tmp_path / "out" / "project.json").read_text())
    assert project["title"] == "Octopus hearts" and project["hashtags"] == ["#octopus", "#science"]
    words = [w["text"] for w in json.loads((tmp_path / "out" / "words.json").read_text())["words"]]
    assert words == "Octopuses have three hearts. Two pump blood through the gills.".split()
