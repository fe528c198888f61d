from __future__ import annotations

import logging
from pathlib import Path

import pytest

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.config import load_config, parse_spec, redact
from faceless.providers.openai import OpenAILLM

TOML = """
[defaults]
llm = "anthropic:claude-3-5-haiku-latest"

[openai]
api_key = "sk-from-file-1234"
base_url = "http://127.0.0.1:9/v1"

[pexels]
api_key = "pexels-file-key"
"""


def test_env_wins_over_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TOML)
    cfg = load_config(
        env={
            "FACELESS_CONFIG": str(path),
            "OPENAI_API_KEY": "sk-from-env-5678",
            "FACELESS_LLM": "openai:llama3",
        }
    )
    assert cfg.get("openai", "api_key") == "sk-from-env-5678"
    assert cfg.get("openai", "base_url") == "http://127.0.0.1:9/v1"  # file value kept
    assert cfg.get("pexels", "api_key") == "pexels-file-key"
    assert cfg.default("llm") == "openai:llama3"
    assert cfg.env_value("PEXELS_API_KEY") == "pexels-file-key"
    assert cfg.source == path


def test_file_from_faceless_config_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.toml"
    path.write_text(TOML)
    monkeypatch.setenv("FACELESS_CONFIG", str(path))
    assert load_config().default("llm") == "anthropic:claude-3-5-haiku-latest"


def test_invalid_toml_is_an_input_error_without_values(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[openai]\napi_key = "sk-secret-value\n')
    with pytest.raises(InputError) as err:
        load_config(path=path, env={})
    assert "invalid TOML" in str(err.value) and "sk-secret-value" not in str(err.value)


def test_keys_never_in_repr_or_errors(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "config.toml"
    path.write_text(TOML)
    cfg = load_config(path=path, env={})
    assert "sk-from-file" not in repr(cfg)
    llm = OpenAILLM.from_config(cfg, max_retries=0)
    assert "sk-from-file" not in repr(llm)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ProviderError) as err:  # port 9 (discard) refuses: connection error path
        llm.complete([], max_tokens=1)
    assert "sk-from-file" not in str(err.value)
    assert "sk-from-file" not in caplog.text


def test_redact_known_secrets_and_url_keys() -> None:
    out = redact("key sk-abcdef in https://x/api/?key=zzz9&q=cat", ["sk-abcdef"])
    assert "sk-abcdef" not in out and "zzz9" not in out and "q=cat" in out


def test_parse_spec() -> None:
    assert parse_spec("ElevenLabs:Rachel") == ("elevenlabs", "Rachel")
    assert parse_spec("openai") == ("openai", None)
    assert parse_spec("azure:en-US-JennyNeural") == ("azure", "en-US-JennyNeural")
    with pytest.raises(InputError):
        parse_spec("  ")
