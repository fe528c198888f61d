"""Provider configuration: environment variables over a TOML file; keys never printed.

The TOML file is `$FACELESS_CONFIG`, else `~/.config/faceless/config.toml`::

    [defaults]
    llm = "openai:gpt-4o-mini"      # FACELESS_LLM
    llm_draft = "openai:gpt-4o-mini" # FACELESS_LLM_DRAFT
    tts = "elevenlabs:Rachel"        # FACELESS_TTS
    stock = "pexels"                 # FACELESS_STOCK
    image = "openai"                 # FACELESS_IMAGE

    [openai]
    api_key = "sk-..."               # OPENAI_API_KEY
    base_url = "http://127.0.0.1:11434/v1"  # OPENAI_BASE_URL (Ollama, vLLM, LM Studio...)

Every environment variable in `ENV_MAP` wins over the same setting in the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faceless.domain.errors import InputError

# Environment variable -> (TOML section, key). Sections are provider ids (or "defaults").
ENV_MAP: dict[str, tuple[str, str]] = {
    "OPENAI_API_KEY": ("openai", "api_key"),
    "OPENAI_BASE_URL": ("openai", "base_url"),
    "OPENAI_MODEL": ("openai", "model"),
    "OPENAI_DRAFT_MODEL": ("openai", "draft_model"),
    "ANTHROPIC_API_KEY": ("anthropic", "api_key"),
    "ANTHROPIC_BASE_URL": ("anthropic", "base_url"),
    "ANTHROPIC_MODEL": ("anthropic", "model"),
    "GEMINI_API_KEY": ("gemini", "api_key"),
    "GEMINI_BASE_URL": ("gemini", "base_url"),
    "GEMINI_MODEL": ("gemini", "model"),
    "ELEVENLABS_API_KEY": ("elevenlabs", "api_key"),
    "ELEVENLABS_BASE_URL": ("elevenlabs", "base_url"),
    "AZURE_SPEECH_KEY": ("azure", "api_key"),
    "AZURE_SPEECH_REGION": ("azure", "region"),
    "AZURE_SPEECH_ENDPOINT": ("azure", "endpoint"),
    "PEXELS_API_KEY": ("pexels", "api_key"),
    "PEXELS_BASE_URL": ("pexels", "base_url"),
    "PIXABAY_API_KEY": ("pixabay", "api_key"),
    "PIXABAY_BASE_URL": ("pixabay", "base_url"),
    "UNSPLASH_ACCESS_KEY": ("unsplash", "api_key"),
    "UNSPLASH_BASE_URL": ("unsplash", "base_url"),
    "STABILITY_API_KEY": ("stability", "api_key"),
    "JAMENDO_CLIENT_ID": ("jamendo", "api_key"),
    "JAMENDO_BASE_URL": ("jamendo", "base_url"),
    "STABILITY_BASE_URL": ("stability", "base_url"),
    "FACELESS_LLM": ("defaults", "llm"),
    "FACELESS_LLM_DRAFT": ("defaults", "llm_draft"),
    "FACELESS_TTS": ("defaults", "tts"),
    "FACELESS_STOCK": ("defaults", "stock"),
    "FACELESS_IMAGE": ("defaults", "image"),
}

# Setting names whose values are secrets: never logged, never put in an exception.
SECRET_FIELDS = frozenset({"api_key", "token", "secret", "password"})


def config_path() -> Path:
    """`$FACELESS_CONFIG`, else `$XDG_CONFIG_HOME/faceless/config.toml` (~/.config/...)."""
    explicit = os.environ.get("FACELESS_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    return base / "faceless" / "config.toml"


@dataclass(frozen=True)
class ProviderConfig:
    """Merged settings: `sections[provider_id][key]`, with environment values applied on top."""

    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: Path | None = None

    def section(self, provider_id: str) -> dict[str, Any]:
        """All settings of one provider (a copy), e.g. {"api_key": ..., "base_url": ...}."""
        return dict(self.sections.get(provider_id, {}))

    def get(self, provider_id: str, key: str, default: Any = None) -> Any:
        value = self.sections.get(provider_id, {}).get(key)
        return default if value in (None, "") else value

    def env_value(self, env_var: str) -> str | None:
        """The value behind an environment variable name, from env or the file's mapped setting."""
        if env_var in ENV_MAP:
            section, key = ENV_MAP[env_var]
            value = self.get(section, key)
            return None if value is None else str(value)
        return os.environ.get(env_var) or None

    def default(self, capability: str) -> str | None:
        """The configured default spec for a capability (e.g. "openai:gpt-4o-mini"), if any."""
        return self.get("defaults", capability)

    def secrets(self) -> list[str]:
        """Every secret value configured, for redaction."""
        found = []
        for values in self.sections.values():
            for key, value in values.items():
                if key in SECRET_FIELDS and isinstance(value, str) and value:
                    found.append(value)
        return found

    def __repr__(self) -> str:  # keys must not leak through a debug print
        return f"ProviderConfig(providers={sorted(self.sections)}, source={self.source})"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> ProviderConfig:
    """Read the TOML file (if present) and apply environment variables on top (env wins)."""
    env = os.environ if env is None else env
    if path is None:
        explicit = env.get("FACELESS_CONFIG")
        path = Path(explicit).expanduser() if explicit else config_path()
    sections: dict[str, dict[str, Any]] = {}
    source: Path | None = None
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            # The message of TOMLDecodeError names a line/column, never a value.
            raise InputError(f"{path}: invalid TOML ({exc}): fix the file or set FACELESS_CONFIG") from None
        for name, values in data.items():
            if isinstance(values, dict):
                sections[name] = dict(values)
        source = path
    for var, (section, key) in ENV_MAP.items():
        value = env.get(var)
        if value:
            sections.setdefault(section, {})[key] = value
    return ProviderConfig(sections=sections, source=source)


def parse_spec(spec: str) -> tuple[str, str | None]:
    """`"provider:rest"` -> ("provider", "rest"); `"provider"` -> ("provider", None)."""
    spec = spec.strip()
    if not spec:
        raise InputError("empty provider spec: use provider[:option], e.g. openai:gpt-4o-mini")
    name, _, rest = spec.partition(":")
    return name.strip().lower(), (rest.strip() or None)


_REDACTED = "***"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (and common key-bearing patterns) replaced by ***."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, _REDACTED)
    # Keys that travel in URLs (Pixabay `key=`, Gemini `key=`) even when we did not know them.
    text = re.sub(r"(?i)\b(key|api_key|apikey|access_token|client_id)=([^&\s\"']+)", r"\1=" + _REDACTED, text)
    return text
