"""Cloud voices against fake servers: request shapes, decoded WAV, word timings, voice lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from faceless.domain.errors import InputError, ProviderError
from faceless.domain.words import Word
from faceless.providers.azure import AzureTTS
from faceless.providers.azure.tts import build_ssml
from faceless.providers.elevenlabs import ElevenLabsTTS
from faceless.providers.openai import OpenAITTS
from faceless.providers.speech import proportional_words, words_from_characters
from faceless.providers.vendor import MissingKey
from faceless.render.probe import probe

from .conftest import Media, Sleeps
from .fakes.server import Answer, FakeServer
from .fakes.voice import RACHEL, install_azure, install_elevenlabs, install_openai_tts

TEXT = "Octopuses have three hearts, and blue blood."


class FakeAligner:
    info = None

    def __init__(self) -> None:
        self.calls: list[tuple[Path, str]] = []

    def align(self, wav: Path, text: str) -> list[Word]:
        self.calls.append((wav, text))
        return [Word(text=t, start=i * 0.1, end=i * 0.1 + 0.08) for i, t in enumerate(text.split())]


def assert_wav(path: Path, seconds: float) -> None:
    info = probe(path)
    assert info.audio is not None and info.audio.codec_name == "pcm_s16le"
    assert info.audio.sample_rate == 48000 and info.audio.channels == 1
    assert info.duration == pytest.approx(seconds, abs=0.08)


@pytest.mark.slow
def test_elevenlabs_with_timestamps(server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path) -> None:
    key = "el-key-0123456789"
    install_elevenlabs(server, key=key, mp3=media.mp3, seconds=media.mp3_seconds)
    tts = ElevenLabsTTS(api_key=key, base_url=server.url, sleep=sleeps)
    speech = tts.synthesize(TEXT, tmp_path / "v.wav", voice="rachel", speed=1.1)
    [post] = server.calls("POST", r"/v1/text-to-speech/.*")
    assert post.path == f"/v1/text-to-speech/{RACHEL}/with-timestamps"
    assert post.headers["xi-api-key"] == key and post.query["output_format"] == "mp3_44100_128"
    body = post.json()
    assert body["text"] == TEXT and body["model_id"] == "eleven_multilingual_v2"
    assert body["voice_settings"]["speed"] == 1.1
    assert_wav(speech.path, media.mp3_seconds)
    assert [w.text for w in speech.words] == TEXT.split()
    step = media.mp3_seconds / len(TEXT)
    assert speech.words[1].start == pytest.approx(TEXT.index("have") * step, abs=0.002)
    assert speech.words[-1].end == pytest.approx(media.mp3_seconds, abs=0.002)
    # Same text again: served from the response cache, no second synthesis call (no second charge).
    tts.synthesize(TEXT, tmp_path / "v2.wav", voice="Rachel", speed=1.1)
    assert len(server.calls("POST")) == 1


def test_elevenlabs_voice_list_and_unknown_voice(server: FakeServer, sleeps: Sleeps, media: Media) -> None:
    install_elevenlabs(server, key="k" * 12, mp3=media.mp3, seconds=1.0)
    tts = ElevenLabsTTS(api_key="k" * 12, base_url=server.url, sleep=sleeps)
    assert [(v.id, v.name, v.gender) for v in tts.voices()][0] == (RACHEL, "Rachel", "female")
    with pytest.raises(InputError, match="no voice named 'Zed'.*Rachel, Adam"):
        tts.voice_id("Zed")
    assert tts.voice_id("pNInz6obpgDQGcFmaJgB") == "pNInz6obpgDQGcFmaJgB"


def test_elevenlabs_bad_key_and_malformed(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_elevenlabs(server, key="right-key-1", mp3=media.mp3, seconds=1.0)
    with pytest.raises(ProviderError, match="authentication failed .*Invalid API key.*ELEVENLABS_API_KEY"):
        ElevenLabsTTS(api_key="wrong-key-2", base_url=server.url, sleep=sleeps).synthesize(
            TEXT, tmp_path / "x.wav", voice=RACHEL
        )
    server.routes.clear()
    server.route("POST", r"/v1/text-to-speech/.*", lambda r: Answer(200, {"audio": "nope"}))
    with pytest.raises(ProviderError, match="malformed response"):
        ElevenLabsTTS(api_key="right-key-1", base_url=server.url, sleep=sleeps).synthesize(
            TEXT, tmp_path / "x.wav", voice=RACHEL
        )


def test_words_from_normalised_characters() -> None:
    # The vendor spoke "3" as "three": words still map in order, times stay monotonic.
    text = "I have 3 cats"
    spoken = "I have three cats"
    starts = [i * 0.1 for i in range(len(spoken))]
    words = words_from_characters(text, list(spoken), starts, [s + 0.1 for s in starts])
    assert [w.text for w in words] == ["I", "have", "3", "cats"]
    assert words[3].start == pytest.approx(spoken.index("cats") * 0.1)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(words, words[1:], strict=False))


def test_proportional_words_fill_the_duration() -> None:
    words = proportional_words("one two three", 3.0)
    assert [w.text for w in words] == ["one", "two", "three"] and words[-1].end <= 3.0
    assert words[0].start == 0 and words[2].start > words[1].start


@pytest.mark.slow
def test_openai_tts_decodes_mp3_and_aligns_offline(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    install_openai_tts(server, key="sk-tts-000111", mp3=media.mp3)
    aligner = FakeAligner()
    tts = OpenAITTS(api_key="sk-tts-000111", base_url=server.url + "/v1", aligner=aligner, sleep=sleeps)
    speech = tts.synthesize(TEXT, tmp_path / "o.wav", voice="nova", speed=1.25)
    body = server.requests[-1].json()
    assert body == {
        "model": "tts-1-hd",
        "input": TEXT,
        "voice": "nova",
        "response_format": "mp3",
        "speed": 1.25,
    }
    assert_wav(speech.path, media.mp3_seconds)
    assert aligner.calls == [(speech.path, TEXT)] and speech.words[2].start == pytest.approx(0.2)
    assert "alloy" in [v.id for v in tts.voices()]


def test_openai_tts_rejects_speed_and_garbage_audio(
    server: FakeServer, sleeps: Sleeps, tmp_path: Path
) -> None:
    server.route("POST", "/v1/audio/speech", lambda r: Answer(200, b"<html>not audio</html>"))
    tts = OpenAITTS(api_key="sk-x-1234", base_url=server.url + "/v1", aligner=FakeAligner(), sleep=sleeps)
    with pytest.raises(InputError, match="0.25 to 4.0"):
        tts.synthesize("hi", tmp_path / "a.wav", speed=9)
    with pytest.raises(ProviderError, match="not decodable"):
        tts.synthesize("hi", tmp_path / "a.wav")
    assert not (tmp_path / "a.wav").exists()


@pytest.mark.slow
def test_azure_ssml_request_and_voices(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    key = "azure-key-abcdef"
    install_azure(server, key=key, wav=media.wav)
    tts = AzureTTS(api_key=key, endpoint=server.url, aligner=FakeAligner(), sleep=sleeps)
    text = "Salt & pepper <b>rocks</b>"
    speech = tts.synthesize(text, tmp_path / "a.wav", voice="en-GB-SoniaNeural", speed=1.2)
    req = server.calls("POST", "/cognitiveservices/v1")[-1]
    assert req.headers["ocp-apim-subscription-key"] == key
    assert req.headers["x-microsoft-outputformat"] == "riff-48khz-16bit-mono-pcm"
    ssml = req.body.decode()
    assert "Salt &amp; pepper &lt;b&gt;rocks&lt;/b&gt;" in ssml  # user text escaped, never markup
    assert 'name="en-GB-SoniaNeural"' in ssml and 'xml:lang="en-GB"' in ssml and 'rate="+20%"' in ssml
    assert_wav(speech.path, 1.0)
    assert [w.text for w in speech.words] == text.split()
    assert [v.id for v in tts.voices()] == ["en-US-JennyNeural", "de-DE-KatjaNeural"]


def test_azure_needs_key_then_region() -> None:
    with pytest.raises(MissingKey, match="AZURE_SPEECH_KEY"):
        AzureTTS(region="westeurope")
    with pytest.raises(MissingKey, match="AZURE_SPEECH_REGION"):
        AzureTTS(api_key="k" * 10)
    tts = AzureTTS(api_key="k" * 10, region="westeurope")
    assert tts.base_url == "https://westeurope.tts.speech.microsoft.com"


def test_azure_401_empty_body(server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path) -> None:
    install_azure(server, key="right-one", wav=media.wav)
    with pytest.raises(ProviderError, match="authentication failed .*AZURE_SPEECH_KEY"):
        AzureTTS(api_key="wrong-one", endpoint=server.url, sleep=sleeps).synthesize("hi", tmp_path / "a.wav")


def test_build_ssml_is_well_formed() -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(build_ssml('a < b & "c"', "de-DE-KatjaNeural", 0.9))
    assert root.find(".//{http://www.w3.org/2001/10/synthesis}prosody").text == 'a < b & "c"'


BOUNDARIES = [
    {"Text": "The", "AudioOffset": 50, "Duration": 150},
    {"Text": "rainbow", "AudioOffset": 220, "Duration": 380},
    {"Text": "has", "AudioOffset": 620, "Duration": 120},
    {"Text": "7", "AudioOffset": 760, "Duration": 200},
    {"Text": "colors", "AudioOffset": 980, "Duration": 400},
    {"Text": ".", "AudioOffset": 1380, "Duration": 0},
]


def test_azure_batch_mode_uses_service_word_boundaries(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    from .fakes.voice import install_azure_batch

    jobs = install_azure_batch(server, key="az-k", wav=media.wav, boundaries=BOUNDARIES)
    tts = AzureTTS(api_key="az-k", base_url=server.url, mode="batch", sleep=sleeps)
    speech = tts.synthesize("The rainbow has 7 colors.", tmp_path / "b.wav", voice="en-US-AvaNeural")
    assert [(w.text, w.start, w.end) for w in speech.words] == [
        ("The", 0.05, 0.2),
        ("rainbow", 0.22, 0.6),
        ("has", 0.62, 0.74),
        ("7", 0.76, 0.96),
        ("colors.", 0.98, 1.38),
    ]
    assert speech.duration == pytest.approx(1.0, abs=0.01) and probe(tmp_path / "b.wav").audio is not None
    [put] = server.calls("PUT")
    body = put.json()
    assert put.query == {"api-version": "2024-04-01"} and put.headers["ocp-apim-subscription-key"] == "az-k"
    assert body["properties"]["wordBoundaryEnabled"] is True and body["inputKind"] == "SSML"
    assert "en-US-AvaNeural" in body["inputs"][0]["content"]
    assert list(jobs.values()) == [2] and len(sleeps) == 2  # polled until Succeeded, waiting between polls
    assert len(server.calls("DELETE")) == 1  # the job is removed afterwards
    assert (
        "ocp-apim-subscription-key" not in server.calls("GET", r"/results/.*")[0].headers
    )  # SAS URL: no key


def test_azure_batch_failure_and_missing_boundaries(
    server: FakeServer, sleeps: Sleeps, media: Media, tmp_path: Path
) -> None:
    from .fakes.voice import install_azure_batch

    install_azure_batch(server, key="az-k", wav=media.wav, boundaries=BOUNDARIES, final="Failed")
    tts = AzureTTS(api_key="az-k", base_url=server.url, mode="batch", sleep=sleeps)
    with pytest.raises(ProviderError, match="Failed: The voice is not supported"):
        tts.synthesize("Hello.", tmp_path / "f.wav")
    assert len(server.calls("DELETE")) == 1
    other = FakeServer().start()
    try:
        install_azure_batch(other, key="az-k", wav=media.wav, boundaries=None)
        tts = AzureTTS(api_key="az-k", base_url=other.url, mode="batch", sleep=sleeps)
        with pytest.raises(ProviderError, match="not every voice supports word boundaries"):
            tts.synthesize("Hello.", tmp_path / "g.wav")
    finally:
        other.stop()
    assert not list(tmp_path.glob(".*.zip"))  # the downloaded result is not left behind
