"""A fake Jamendo API v3.0 (`GET /v3.0/tracks/`), answering HTTP 200 with `headers.status` like the real one."""

from __future__ import annotations

from .server import Answer, FakeServer, Request


def install_jamendo(server: FakeServer, *, client_id: str, mp3: bytes) -> None:
    base = server.url

    def tracks(req: Request) -> Answer:
        if req.query.get("client_id") != client_id:
            return Answer(
                200,
                {
                    "headers": {
                        "status": "failed",
                        "code": 5,
                        "error_message": "Authentication Error: Your credential is not authorized.",
                        "warnings": "",
                        "results_count": 0,
                    },
                    "results": [],
                },
            )
        results = [
            {
                "id": "111",
                "name": "Locked Track",
                "duration": 200,
                "artist_name": "Nobody",
                "audiodownload": f"{base}/dl/111.mp3",
                "audiodownload_allowed": False,
                "license_ccurl": "http://creativecommons.org/licenses/by/3.0/",
                "shareurl": "https://jamen.do/t/111",
            },
            {
                "id": "222",
                "name": "Still Water",
                "duration": 185,
                "artist_name": "Lia Moss",
                "audiodownload": f"{base}/dl/222.mp3",
                "audiodownload_allowed": True,
                "license_ccurl": "http://creativecommons.org/licenses/by-nc-sa/3.0/",
                "shareurl": "https://jamen.do/t/222",
            },
        ]
        return Answer(
            200,
            {
                "headers": {
                    "status": "success",
                    "code": 0,
                    "error_message": "",
                    "warnings": "",
                    "results_count": len(results),
                },
                "results": results,
            },
        )

    server.route("GET", "/v3.0/tracks/", tracks)
    server.route("GET", "/dl/222.mp3", lambda r: Answer(200, mp3, {"content-type": "audio/mpeg"}))
    server.route("GET", "/dl/111.mp3", lambda r: Answer(403, "download not allowed"))
