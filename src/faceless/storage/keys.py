"""Blob key naming: where an organisation's assets and a render job's files live in a blob store.

The API (uploads, downloads, deletes) and the workers (inputs, outputs) name the same objects, so the
names are made here and nowhere else."""

from __future__ import annotations

from pathlib import PurePosixPath

from faceless.storage.blobs import check_key

# name served under /renders/{id}/files/{name} -> media type. The fixed allow-list of downloads.
ARTIFACT_FILES: dict[str, str] = {
    "video.mp4": "video/mp4",
    "captions.srt": "application/x-subrip",
    "captions.vtt": "text/vtt",
    "captions.ass": "text/x-ssa",
    "words.json": "application/json",
    "thumbnail.jpg": "image/jpeg",
    "project.json": "application/json",
    "timeline.otio": "application/json",
    "credits.json": "application/json",
}


def asset_prefix(org_id: str) -> str:
    """Where an organisation's uploaded assets are stored (one folder per asset below it)."""
    return f"orgs/{org_id}/assets"


def render_prefix(org_id: str, job_id: str) -> str:
    """Where the files of one render job are stored (deleted with the job's project)."""
    return f"orgs/{org_id}/renders/{job_id}"


def artifact_key(org_id: str, job_id: str, name: str) -> str:
    """The key of one output file (`name` from ARTIFACT_FILES) of a render job."""
    return f"{render_prefix(org_id, job_id)}/{name}"


def asset_key_of(path: str, org_id: str) -> str | None:
    """The blob key `orgs/<org>/assets/<asset>/<file>` a recorded asset path ends with, else None.

    Projects record assets by the absolute path they had on the machine that chose them; another machine
    (its own data folder, a bucket instead of a shared disk) finds the same blob by this key."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    for i in range(len(parts) - 5, -1, -1):
        if parts[i : i + 3] == ("orgs", org_id, "assets"):
            try:
                return check_key("/".join(parts[i:]))
            except ValueError:
                return None
    return None
