"""Azure AI Speech through its REST text-to-speech endpoint."""

from faceless.providers.azure.tts import AzureTTS

__all__ = ["AzureTTS"]
