"""The provider registry: plugins found through entry points, listed with their status, created by id.

Entry-point group `faceless.providers`, name `<capability>.<id>` (e.g. `tts.elevenlabs`), value
the provider class. The class carries `info: ClassVar[ProviderInfo]` and is built with
`cls.from_config(config, **options)` when it has that classmethod, else `cls(**options)`.
Built-ins are listed in `BUILTINS` too, so they work before packaging metadata is refreshed;
`register(cls)` adds a class programmatically (tests, embedding applications).

Module-level functions act on a default registry: `available()`, `create()`, `resolve_tts()`...
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Literal

from faceless.domain.errors import InputError, ProviderError
from faceless.providers.config import ProviderConfig, load_config, parse_spec

log = logging.getLogger("faceless.providers.registry")

GROUP = "faceless.providers"

# name -> "module:Class"; the same lines belong in pyproject's entry points.
BUILTINS: dict[str, str] = {
    "tts.piper": "faceless.providers.piper:PiperTTS",
    "tts.espeak": "faceless.providers.espeak:EspeakTTS",
    "aligner.pocketsphinx": "faceless.providers.pocketsphinx:PocketsphinxAligner",
    "llm.openai": "faceless.providers.openai:OpenAILLM",
    "llm.anthropic": "faceless.providers.anthropic:AnthropicLLM",
    "llm.gemini": "faceless.providers.gemini:GeminiLLM",
    "tts.elevenlabs": "faceless.providers.elevenlabs:ElevenLabsTTS",
    "tts.openai": "faceless.providers.openai:OpenAITTS",
    "tts.azure": "faceless.providers.azure:AzureTTS",
    "stock.pexels": "faceless.providers.pexels:PexelsStock",
    "stock.pixabay": "faceless.providers.pixabay:PixabayStock",
    "stock.unsplash": "faceless.providers.unsplash:UnsplashStock",
    "image.openai": "faceless.providers.openai:OpenAIImages",
    "image.stability": "faceless.providers.stability:StabilityImages",
    "music.jamendo": "faceless.providers.jamendo:JamendoMusic",
}
DEFAULT_KEYS = frozenset({"llm", "llm_draft", "tts", "stock", "image"})

Status = Literal["ready", "missing key", "missing package"]


@dataclass(frozen=True)
class ProviderStatus:
    id: str
    capability: str
    status: Status
    detail: str = ""  # the missing variable(s), or the install hint
    description: str = ""
    offline: bool = False

    @property
    def ready(self) -> bool:
        return self.status == "ready"


@dataclass
class _Slot:
    capability: str
    id: str
    target: str | None = None  # "module:Class" not loaded yet
    cls: type | None = None
    error: str | None = None  # why it could not be loaded


def _install_hint(extra: str | None, provider_id: str) -> str:
    return f"pip install 'faceless[{extra or provider_id}]'"


class Registry:
    """Provider classes by (capability, id)."""

    def __init__(self, *, builtins: bool = True, discover: bool = True) -> None:
        self._slots: dict[tuple[str, str], _Slot] = {}
        self._lock = threading.RLock()
        self._discovered = not discover
        if builtins:
            for name, target in BUILTINS.items():
                cap, _, pid = name.partition(".")
                self._slots[(cap, pid)] = _Slot(cap, pid, target=target)

    def register(self, cls: type, *, capability: str | None = None, id: str | None = None) -> type:
        """Add (or replace) a provider class; usable as a decorator."""
        info = getattr(cls, "info", None)
        if info is None and (capability is None or id is None):
            raise TypeError(f"{cls.__name__} has no `info: ClassVar[ProviderInfo]`")
        cap = capability or info.capability
        pid = id or info.id
        with self._lock:
            self._slots[(cap, pid)] = _Slot(cap, pid, cls=cls)
        return cls

    def unregister(self, capability: str, id: str) -> None:
        with self._lock:
            self._slots.pop((capability, id), None)

    def _discover(self) -> None:
        with self._lock:
            if self._discovered:
                return
            self._discovered = True
            for ep in entry_points(group=GROUP):
                cap, dot, pid = ep.name.partition(".")
                if not dot:
                    log.warning("ignoring entry point %r: name must be <capability>.<id>", ep.name)
                    continue
                slot = self._slots.get((cap, pid))
                if slot is None or slot.cls is None:  # a programmatic registration wins
                    self._slots[(cap, pid)] = _Slot(cap, pid, target=ep.value)

    def _load(self, slot: _Slot) -> type | None:
        if slot.cls is None and slot.error is None and slot.target:
            module, _, attr = slot.target.partition(":")
            try:
                slot.cls = getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                slot.error = f"{type(exc).__name__}: {exc}"
        return slot.cls

    def _slots_for(self, capability: str | None) -> list[_Slot]:
        self._discover()
        with self._lock:
            return sorted(
                (s for s in self._slots.values() if capability in (None, s.capability)),
                key=lambda s: (s.capability, s.id),
            )

    def status(self, slot: _Slot, config: ProviderConfig) -> ProviderStatus:
        cls = self._load(slot)
        if cls is None:
            return ProviderStatus(slot.id, slot.capability, "missing package", _install_hint(None, slot.id))
        info = cls.info
        missing_mods = [m for m in info.modules if importlib.util.find_spec(m) is None]
        if missing_mods:
            return ProviderStatus(
                slot.id,
                slot.capability,
                "missing package",
                _install_hint(info.extra, slot.id),
                info.description,
                info.offline,
            )
        check = getattr(cls, "missing_settings", None)
        missing = check(config) if callable(check) else [e for e in info.env_keys if not config.env_value(e)]
        if missing:
            return ProviderStatus(
                slot.id, slot.capability, "missing key", ", ".join(missing), info.description, info.offline
            )
        return ProviderStatus(slot.id, slot.capability, "ready", "", info.description, info.offline)

    def available(
        self, capability: str | None = None, *, config: ProviderConfig | None = None
    ) -> list[ProviderStatus]:
        """Every known provider (of one capability, or all) with its status."""
        config = config or load_config()
        return [self.status(s, config) for s in self._slots_for(capability)]

    def options_schema(self, capability: str, id: str) -> dict[str, Any] | None:
        """JSON schema of a provider's settings (None when it takes none, or is not installed)."""
        cls = self._load(self._slot(capability, id))
        model = getattr(getattr(cls, "info", None), "options", None)
        if model is None:
            return None
        schema: dict[str, Any] = model.model_json_schema()
        return schema

    def config_problems(self, config: ProviderConfig | None = None) -> list[str]:
        """Settings in config.toml / the environment that no installed provider reads (typos, mostly)."""
        config = config or load_config()
        fields: dict[str, set[str]] = {}
        for slot in self._slots_for(None):
            cls = self._load(slot)
            model = getattr(getattr(cls, "info", None), "options", None)
            if model is not None:
                fields.setdefault(slot.id, set()).update(model.model_fields)
        problems = []
        for section, values in config.sections.items():
            known = DEFAULT_KEYS if section == "defaults" else fields.get(section)
            if known is None:
                continue  # a plugin that is not installed here, or a provider without declared settings
            for key in sorted(set(values) - known):
                problems.append(f"[{section}] {key}: unknown setting; known: {', '.join(sorted(known))}")
        return problems

    def check_known(self, capability: str, id: str) -> None:
        """Raise InputError naming the choices when no `capability` provider is called `id`."""
        self._slot(capability, id)

    def _slot(self, capability: str, id: str) -> Any:
        self._discover()
        with self._lock:
            slot = self._slots.get((capability, id))
        if slot is None:
            known = ", ".join(s.id for s in self._slots_for(capability)) or "none"
            raise InputError(f"unknown {capability} provider {id!r}: choose one of {known}")
        return slot

    def get_class(self, capability: str, id: str) -> type:
        slot = self._slot(capability, id)
        cls = self._load(slot)
        if cls is None:
            raise ProviderError(
                f"{capability} provider {id!r} is not installed ({slot.error}): {_install_hint(None, id)}"
            )
        missing_mods = [m for m in cls.info.modules if importlib.util.find_spec(m) is None]
        if missing_mods:
            raise ProviderError(
                f"{capability} provider {id!r} needs {', '.join(missing_mods)}: "
                f"{_install_hint(cls.info.extra, id)}"
            )
        return cls

    def create(
        self, capability: str, id: str, *, config: ProviderConfig | None = None, **options: Any
    ) -> Any:
        """A ready provider instance; raises InputError (unknown id) or ProviderError (key/package missing)."""
        cls = self.get_class(capability, id)
        factory = getattr(cls, "from_config", None)
        if callable(factory):
            return factory(config or load_config(), **options)
        return cls(**options)

    def resolve(
        self, capability: str, spec: str, *, config: ProviderConfig | None = None, **options: Any
    ) -> Any:
        """A provider from a spec `id[:model]` (LLM: the part after ':' is the model)."""
        pid, rest = parse_spec(spec)
        if rest and capability == "llm":
            options.setdefault("model", rest)
        return self.create(capability, pid, config=config, **options)

    def resolve_tts(
        self, spec: str, *, config: ProviderConfig | None = None, **options: Any
    ) -> tuple[Any, str | None]:
        """`"elevenlabs:Rachel"` -> (ElevenLabsTTS instance, "Rachel"); voice None when not given."""
        pid, voice = parse_spec(spec)
        return self.create("tts", pid, config=config, **options), voice


default_registry = Registry()


def register(cls: type, *, capability: str | None = None, id: str | None = None) -> type:
    """Register a provider class in the default registry."""
    return default_registry.register(cls, capability=capability, id=id)


def available(capability: str | None = None, *, config: ProviderConfig | None = None) -> list[ProviderStatus]:
    """Status of every provider known to the default registry."""
    return default_registry.available(capability, config=config)


def config_problems(config: ProviderConfig | None = None) -> list[str]:
    """Unknown settings in the configuration (see `Registry.config_problems`)."""
    return default_registry.config_problems(config)


def check_known(capability: str, id: str) -> None:
    """Raise InputError (listing the choices) when the default registry has no such provider."""
    default_registry.check_known(capability, id)


def create(capability: str, id: str, *, config: ProviderConfig | None = None, **options: Any) -> Any:
    """Create a provider from the default registry."""
    return default_registry.create(capability, id, config=config, **options)


def resolve(capability: str, spec: str, *, config: ProviderConfig | None = None, **options: Any) -> Any:
    return default_registry.resolve(capability, spec, config=config, **options)


def resolve_tts(spec: str, *, config: ProviderConfig | None = None, **options: Any) -> tuple[Any, str | None]:
    """(provider, voice) for a `provider:voice` spec, e.g. `openai:alloy`, `piper:joe`."""
    return default_registry.resolve_tts(spec, config=config, **options)
