"""Fake Pexels, Pixabay, Unsplash, OpenAI Images and Stability endpoints, serving real tiny media."""

from __future__ import annotations

import base64

from .server import Answer, FakeServer, Request


def install_pexels(server: FakeServer, *, key: str, video: bytes, image: bytes) -> None:
    base = server.url

    def authed(req: Request) -> bool:
        return req.headers.get("authorization") == key

    def videos(req: Request) -> Answer:
        if not authed(req):
            return Answer(401, {"error": "Unauthorized"})
        n = int(req.query.get("per_page", 15))
        items = []
        for i, slug in enumerate(
            ["ocean-waves-at-sunset", "city-traffic-at-night", "ocean-waves-at-sunset"][:n]
        ):
            vid = 1000 + i if i < 2 else 1000  # the third repeats the first id (duplicates happen)
            items.append(
                {
                    "id": vid,
                    "width": 1080,
                    "height": 1920,
                    "duration": 12,
                    "url": f"https://www.pexels.com/video/{slug}-{vid}/",
                    "image": f"{base}/preview/{vid}.jpg",
                    "user": {"id": 7, "name": "Jane Doe", "url": "https://www.pexels.com/@jane"},
                    "video_files": [
                        {
                            "id": 1,
                            "quality": "sd",
                            "file_type": "video/mp4",
                            "width": 360,
                            "height": 640,
                            "fps": 25,
                            "link": f"{base}/media/v{vid}-sd.mp4",
                        },
                        {
                            "id": 2,
                            "quality": "hd",
                            "file_type": "video/mp4",
                            "width": 1080,
                            "height": 1920,
                            "fps": 25,
                            "link": f"{base}/media/v{vid}-hd.mp4",
                        },
                        {
                            "id": 3,
                            "quality": "uhd",
                            "file_type": "video/mp4",
                            "width": 2160,
                            "height": 3840,
                            "fps": 25,
                            "link": f"{base}/media/v{vid}-uhd.mp4",
                        },
                    ],
                }
            )
        return Answer(
            200,
            {"page": 1, "per_page": n, "total_results": len(items), "videos": items},
            {"x-ratelimit-limit": "20000", "x-ratelimit-remaining": "19999", "x-ratelimit-reset": "0"},
        )

    def photos(req: Request) -> Answer:
        if not authed(req):
            return Answer(401, {"error": "Unauthorized"})
        return Answer(
            200,
            {
                "page": 1,
                "per_page": 1,
                "photos": [
                    {
                        "id": 2014422,
                        "width": 3024,
                        "height": 4032,
                        "url": "https://www.pexels.com/photo/2014422/",
                        "photographer": "Joey Farina",
                        "photographer_url": "https://www.pexels.com/@joey",
                        "alt": "Brown rocks",
                        "src": {
                            "original": f"{base}/media/p2014422.jpeg",
                            "large2x": f"{base}/media/p2014422.jpeg",
                            "medium": f"{base}/preview/p.jpeg",
                        },
                    }
                ],
            },
        )

    server.route("GET", "/videos/search", videos)
    server.route("GET", "/v1/search", photos)
    server.route("GET", r"/media/v\d+-\w+\.mp4", lambda r: Answer(200, video, {"content-type": "video/mp4"}))
    server.route("GET", r"/media/p\d+\.jpeg", lambda r: Answer(200, image, {"content-type": "image/jpeg"}))


def install_pixabay(server: FakeServer, *, key: str, image: bytes) -> None:
    base = server.url

    def photos(req: Request) -> Answer:
        if req.query.get("key") != key:
            return Answer(400, f'[ERROR 400] "{req.query.get("key")}" is not a valid API key.')
        return Answer(
            200,
            {
                "total": 2,
                "totalHits": 2,
                "hits": [
                    {
                        "id": 195893,
                        "pageURL": "https://pixabay.com/en/blossom-bloom-flower-195893/",
                        "type": "photo",
                        "tags": "blossom, bloom, flower",
                        "previewURL": f"{base}/preview/1.jpg",
                        "largeImageURL": f"{base}/media/px195893.jpg",
                        "imageWidth": 4000,
                        "imageHeight": 2250,
                        "imageSize": 4731420,
                        "user": "Josch13",
                        "user_id": 48777,
                    },
                    {
                        "id": 195894,
                        "pageURL": "https://pixabay.com/en/x-195894/",
                        "type": "photo",
                        "tags": "blossom, bloom, flower",
                        "largeImageURL": f"{base}/media/px195894.jpg",
                        "imageWidth": 4000,
                        "imageHeight": 2250,
                        "imageSize": 4731420,
                        "user": "Other",
                    },
                ],
            },
            {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "99", "x-ratelimit-reset": "60"},
        )

    def videos(req: Request) -> Answer:
        if req.query.get("key") != key:
            return Answer(400, "[ERROR 400] invalid key")
        return Answer(
            200,
            {
                "total": 1,
                "totalHits": 1,
                "hits": [
                    {
                        "id": 125,
                        "pageURL": "https://pixabay.com/videos/id-125/",
                        "type": "film",
                        "tags": "flowers, yellow",
                        "duration": 12,
                        "user": "Coverr-Free-Footage",
                        "videos": {
                            "large": {"url": "", "width": 0, "height": 0, "size": 0},
                            "medium": {
                                "url": f"{base}/media/pv125.mp4",
                                "width": 1280,
                                "height": 720,
                                "size": 3562083,
                                "thumbnail": f"{base}/preview/125.jpg",
                            },
                        },
                    },
                ],
            },
        )

    server.route("GET", "/api/", photos)
    server.route("GET", "/api/videos/", videos)
    server.route("GET", r"/media/px\d+\.jpg", lambda r: Answer(200, image, {"content-type": "image/jpeg"}))


def install_unsplash(server: FakeServer, *, key: str, image: bytes) -> None:
    base = server.url

    def search(req: Request) -> Answer:
        if req.headers.get("authorization") != f"Client-ID {key}":
            return Answer(401, {"errors": ["OAuth error: The access token is invalid"]})
        return Answer(
            200,
            {
                "total": 1,
                "total_pages": 1,
                "results": [
                    {
                        "id": "eOLpJytrbsQ",
                        "width": 4000,
                        "height": 6000,
                        "description": "A man drinking a coffee.",
                        "alt_description": "man holding mug",
                        "urls": {
                            "raw": f"{base}/media/u1.jpg?ixid=abc",
                            "regular": f"{base}/media/u1.jpg?w=1080",
                            "small": f"{base}/media/u1.jpg?w=400",
                        },
                        "links": {
                            "html": "https://unsplash.com/photos/eOLpJytrbsQ",
                            "download_location": f"{base}/photos/eOLpJytrbsQ/download?ixid=abc",
                        },
                        "user": {
                            "name": "Jeff Sheldon",
                            "username": "ugmonk",
                            "links": {"html": "https://unsplash.com/@ugmonk"},
                        },
                    }
                ],
            },
            {"x-ratelimit-limit": "50", "x-ratelimit-remaining": "49"},
        )

    def track(req: Request) -> Answer:
        if req.headers.get("authorization") != f"Client-ID {key}":
            return Answer(401, {"errors": ["OAuth error: The access token is invalid"]})
        return Answer(200, {"url": f"{base}/media/u1.jpg?ixid=abc"})

    server.route("GET", "/search/photos", search)
    server.route("GET", r"/photos/[^/]+/download", track)
    server.route("GET", "/media/u1.jpg", lambda r: Answer(200, image, {"content-type": "image/jpeg"}))


def install_openai_images(server: FakeServer, *, key: str, png: bytes) -> None:
    def gen(req: Request) -> Answer:
        if req.headers.get("authorization") != f"Bearer {key}":
            return Answer(
                401, {"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}
            )
        return Answer(
            200,
            {
                "created": 1,
                "data": [
                    {"b64_json": base64.b64encode(png).decode(), "revised_prompt": req.json()["prompt"]}
                ],
            },
        )

    server.route("POST", "/v1/images/generations", gen)


def install_stability(server: FakeServer, *, key: str, png: bytes) -> None:
    def core(req: Request) -> Answer:
        if req.headers.get("authorization") != f"Bearer {key}":
            return Answer(
                401, {"id": "e1", "name": "unauthorized", "errors": ["authorization: invalid or missing"]}
            )
        if not req.headers.get("content-type", "").startswith("multipart/form-data"):
            return Answer(
                400, {"id": "e2", "name": "bad_request", "errors": ["content-type must be multipart"]}
            )
        if b"forbidden" in req.body:
            return Answer(
                200, png, {"content-type": "image/png", "finish-reason": "CONTENT_FILTERED", "seed": "0"}
            )
        return Answer(200, png, {"content-type": "image/png", "finish-reason": "SUCCESS", "seed": "42"})

    server.route("POST", "/v2beta/stable-image/generate/core", core)
