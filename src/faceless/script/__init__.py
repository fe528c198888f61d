"""Script writing with a language model: `write_script(topic, llm=...)`, `default_llm()`."""

from __future__ import annotations

from faceless.providers.base import LLMProvider
from faceless.providers.config import ProviderConfig, load_config, parse_spec
from faceless.script.writer import SceneCard, ScriptDraft, script_schema, write_script

__all__ = ["SceneCard", "ScriptDraft", "default_llm", "script_schema", "write_script"]

AUTO_ORDER = ("openai", "anthropic", "gemini")


def default_llm(config: ProviderConfig | None = None, spec: str | None = None) -> LLMProvider | None:
    """The LLM to write with: `spec` (e.g. from `--llm`), else FACELESS_LLM (`provider[:model]`), else
    the first of openai, anthropic, gemini whose key (or OpenAI-compatible base URL) is set; None when
    nothing is configured.

    A comma-separated spec is a fallback chain (`anthropic:claude-3-5-haiku-latest,openai,gemini`):
    a provider without its key, or one that fails after its retries, hands over to the next.
    FACELESS_LLM_DRAFT (`provider:model`, same provider) sets the model of the draft tier.
    """
    from faceless.providers import registry

    config = config or load_config()
    spec = spec or config.default("llm")
    if spec and "," in spec:
        from faceless.providers.fallback import FallbackLLM

        parts = [p.strip() for p in spec.split(",") if p.strip()]
        for part in parts:
            registry.check_known("llm", parse_spec(part)[0])  # unknown names fail now, clearly
        return FallbackLLM(parts)
    if not spec:
        ready = {s.id for s in registry.available("llm", config=config) if s.ready}
        spec = next((p for p in AUTO_ORDER if p in ready), None)
        if spec is None:
            return None
    pid, model = parse_spec(spec)
    options: dict[str, str] = {}
    if model:
        options["model"] = model
    draft = config.default("llm_draft")
    if draft:
        dpid, dmodel = parse_spec(draft)
        if dpid == pid and dmodel:
            options["draft_model"] = dmodel
    provider: LLMProvider = registry.create("llm", pid, config=config, **options)
    return provider
