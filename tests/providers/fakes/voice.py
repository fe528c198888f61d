"""Fake ElevenLabs, OpenAI TTS and Azure Speech endpoints."""

from __future__ import annotations

import base64
import json
import re

from .server import Answer, FakeServer, Request

RACHEL = "21m00Tcm4TlvDq8ikWAM"


def install_elevenlabs(server: FakeServer, *, key: str, mp3: bytes, seconds: float) -> None:
    def voices(req: Request) -> Answer:
        if req.headers.get("xi-api-key") != key:
            return Answer(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        return Answer(
            200,
            {
                "voices": [
                    {
                        "voice_id": RACHEL,
                        "name": "Rachel",
                        "category": "premade",
                        "labels": {"accent": "american", "gender": "female", "language": "en"},
                    },
                    {"voice_id": "pNInz6obpgDQGcFmaJgB", "name": "Adam", "labels": {"gender": "male"}},
                ]
            },
        )

    def tts(req: Request) -> Answer:
        if req.headers.get("xi-api-key") != key:
            return Answer(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
        text = req.json()["text"]
        # Characters evenly over the audio, as the real endpoint returns one entry per input character.
        step = seconds / max(1, len(text))
        return Answer(
            200,
            {
                "audio_base64": base64.b64encode(mp3).decode(),
                "alignment": {
                    "characters": list(text),
                    "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
                    "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))],
                },
                "normalized_alignment": None,
            },
        )

    server.route("GET", "/v1/voices", voices)
    server.route("POST", r"/v1/text-to-speech/[A-Za-z0-9]+/with-timestamps", tts)


def install_openai_tts(server: FakeServer, *, key: str, mp3: bytes) -> None:
    def speech(req: Request) -> Answer:
        if req.headers.get("authorization") != f"Bearer {key}":
            return Answer(
                401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}
            )
        return Answer(200, mp3, {"content-type": "audio/mpeg"})

    server.route("POST", "/v1/audio/speech", speech)


def install_azure(server: FakeServer, *, key: str, wav: bytes) -> None:
    def synth(req: Request) -> Answer:
        if req.headers.get("ocp-apim-subscription-key") != key:
            return Answer(401, b"")  # Azure answers 401 with an empty body
        if not req.headers.get("content-type", "").startswith("application/ssml+xml"):
            return Answer(400, b"")
        if not re.search(rb"<voice name=['\"][^'\"]+['\"]>", req.body):
            return Answer(400, b"")
        return Answer(200, wav, {"content-type": "audio/x-wav"})

    def voices(req: Request) -> Answer:
        if req.headers.get("ocp-apim-subscription-key") != key:
            return Answer(401, b"")
        return Answer(
            200,
            [
                {
                    "Name": "Microsoft Server Speech Text to Speech Voice (en-US, JennyNeural)",
                    "DisplayName": "Jenny",
                    "LocalName": "Jenny",
                    "ShortName": "en-US-JennyNeural",
                    "Gender": "Female",
                    "Locale": "en-US",
                    "VoiceType": "Neural",
                    "Status": "GA",
                },
                {
                    "Name": "Microsoft Server Speech Text to Speech Voice (de-DE, KatjaNeural)",
                    "DisplayName": "Katja",
                    "ShortName": "de-DE-KatjaNeural",
                    "Gender": "Female",
                    "Locale": "de-DE",
                    "VoiceType": "Neural",
                },
            ],
        )

    server.route("POST", "/cognitiveservices/v1", synth)
    server.route("GET", "/cognitiveservices/voices/list", voices)


def install_azure_batch(
    server: FakeServer,
    *,
    key: str,
    wav: bytes,
    boundaries: list[dict] | None,
    final: str = "Succeeded",
    polls: int = 2,
) -> dict[str, int]:
    """Azure batch synthesis (api-version 2024-04-01): PUT a job, GET it until `final`, a ZIP result, DELETE."""
    import io
    import zipfile

    seen: dict[str, int] = {}

    def authed(req: Request) -> bool:
        return (
            req.headers.get("ocp-apim-subscription-key") == key
            and req.query.get("api-version") == "2024-04-01"
        )

    def job_id(req: Request) -> str:
        return req.path.rsplit("/", 1)[-1]

    def state(jid: str, status: str) -> dict:
        body: dict = {
            "id": jid,
            "status": status,
            "createdDateTime": "2026-11-24T09:00:00Z",
            "properties": {"outputFormat": "riff-48khz-16bit-mono-pcm", "wordBoundaryEnabled": True},
        }
        if status == "Succeeded":
            body["outputs"] = {"result": f"{server.url}/results/{jid}.zip", "summary": f"{server.url}/s.json"}
        if status == "Failed":
            body["properties"]["error"] = {"code": "InvalidSsml", "message": "The voice is not supported"}
        return body

    def put(req: Request) -> Answer:
        if not authed(req):
            return Answer(401, {"error": {"code": "Unauthorized", "message": "Access denied"}})
        body = req.json()
        if body.get("inputKind") != "SSML" or not body.get("inputs", [{}])[0].get("content", "").startswith(
            "<speak"
        ):
            return Answer(400, {"error": {"code": "BadRequest", "message": "inputs invalid"}})
        seen[job_id(req)] = 0
        return Answer(201, state(job_id(req), "NotStarted"), {"operation-id": "op-1"})

    def get(req: Request) -> Answer:
        if not authed(req):
            return Answer(401, {"error": {"code": "Unauthorized", "message": "Access denied"}})
        jid = job_id(req)
        seen[jid] += 1
        return Answer(200, state(jid, final if seen[jid] >= polls else "Running"))

    def result(req: Request) -> Answer:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("0001.wav", wav)
            if boundaries is not None:
                z.writestr("0001.word.json", json.dumps(boundaries))
            z.writestr("summary.json", json.dumps({"jobID": "x", "status": "Succeeded"}))
        return Answer(200, buf.getvalue(), {"content-type": "application/zip"})

    server.route("PUT", r"/texttospeech/batchsyntheses/[\w.-]+", put)
    server.route("GET", r"/texttospeech/batchsyntheses/[\w.-]+", get)
    server.route("DELETE", r"/texttospeech/batchsyntheses/[\w.-]+", lambda r: Answer(204, b""))
    server.route("GET", r"/results/[\w.-]+\.zip", result)
    return seen
