"""One real Piper synthesis of the sample script, shared by the voice tests."""

from __future__ import annotations

import pytest
from voice_check import TEXT

from faceless.providers.base import Speech
from faceless.providers.piper import PiperTTS


@pytest.fixture(scope="session")
def piper_speech(tmp_path_factory: pytest.TempPathFactory) -> Speech:
    return PiperTTS().synthesize(TEXT, tmp_path_factory.mktemp("piper") / "speech.wav")
