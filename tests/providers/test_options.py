"""Provider settings models: validated before a provider is built, typos reported, the CLI table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faceless.cli.main import main
from faceless.domain.errors import InputError
from faceless.providers import registry
from faceless.providers.config import load_config
from faceless.providers.openai import OpenAIImages, OpenAILLM, OpenAITTS
from faceless.providers.stability import StabilityImages


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_shared_section_gives_each_provider_its_own_keys(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            '[openai]\napi_key = "sk-1"\nmodel = "gpt-4.1"\nvoice = "nova"\n'
            'image_model = "gpt-image-1"\ntimeout = "30"\n',
        ),
        env={},
    )
    llm = OpenAILLM.from_config(config)
    tts = OpenAITTS.from_config(config)
    images = OpenAIImages.from_config(config)
    assert llm.model == "gpt-4.1" and tts.voice == "nova" and images.image_model == "gpt-image-1"
    assert images.image_model != "gpt-4.1"  # the chat model of [openai] is not an image model
    # An explicit option (a spec such as `openai:dall-e-2` in a chain) wins over the section.
    assert OpenAIImages.from_config(config, model="dall-e-2").image_model == "dall-e-2"


def test_bad_values_are_one_clear_error_without_secrets(tmp_path: Path) -> None:
    config = load_config(
        _config(tmp_path, '[stability]\napi_key = "sk-SECRET"\nendpoint = "mega"\nseed = -1\n'), env={}
    )
    with pytest.raises(InputError) as err:
        StabilityImages.from_config(config)
    message = str(err.value)
    assert message.startswith("[stability] settings:") and "endpoint" in message and "seed" in message
    assert "sk-SECRET" not in message and "\n" not in message


def test_unknown_settings_are_reported(tmp_path: Path) -> None:
    config = load_config(
        _config(
            tmp_path,
            '[openai]\nmodle = "gpt-4o"\n[defaults]\nllm = "openai"\nvoice = "x"\n'
            "[someplugin]\nanything = 1\n",
        ),
        env={},
    )
    problems = registry.config_problems(config)
    assert any(p.startswith("[openai] modle: unknown setting") and "model" in p for p in problems)
    assert any(p.startswith("[defaults] voice: unknown setting") for p in problems)
    assert not any("someplugin" in p for p in problems)  # not installed here: not ours to judge


def test_providers_command_table_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FACELESS_CONFIG", str(_config(tmp_path, '[openai]\nmodle = "x"\n')))
    monkeypatch.setenv("PEXELS_API_KEY", "px-1")
    assert main(["providers", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {(r["capability"], r["id"]): r for r in data["providers"]}
    assert rows[("tts", "piper")]["status"] == "ready" and rows[("tts", "piper")]["offline"]
    assert rows[("stock", "pexels")]["ready"]
    assert rows[("tts", "elevenlabs")]["status"] == "missing key"
    assert rows[("tts", "elevenlabs")]["detail"] == "ELEVENLABS_API_KEY"
    assert rows[("music", "jamendo")]["detail"] == "JAMENDO_CLIENT_ID"
    assert "draft_model" in rows[("llm", "openai")]["options"]["properties"]
    assert any("modle" in p for p in data["config_problems"])
    assert "px-1" not in json.dumps(data)
    assert main(["providers"]) == 0
    out, err = capsys.readouterr()
    assert "elevenlabs" in out and "missing key" in out and "warning: [openai] modle" in err
