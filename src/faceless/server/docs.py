"""`/docs`: Swagger UI served from this server (the assets the `fastapi-offline` package ships), no CDN,
no inline script.

FastAPI's built-in page loads Swagger UI from jsDelivr and starts it with an inline script, which
neither works offline nor fits a strict Content-Security-Policy; `get_swagger_ui_html` always emits
that inline script, hence this small page and a same-origin init file. The assets must be Swagger UI
5 or newer: older ones refuse FastAPI's OpenAPI 3.1 document ("does not specify a valid version").
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse

INIT_JS = Path(__file__).with_name("docs_static") / "init.js"
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Faceless API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Add `/docs` and its assets (a no-op when fastapi-offline is not installed: /docs is then 404)."""
    try:
        import fastapi_offline
    except ImportError:
        return
    root = Path(fastapi_offline.__file__).with_name("static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        # A fixed allow-list: the name never becomes a path by itself.
        if name == "init.js":
            return FileResponse(
                INIT_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"}
            )
        if name not in ASSETS:
            from faceless.server.errors import not_found

            raise not_found("file")
        return FileResponse(
            root / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"}
        )
