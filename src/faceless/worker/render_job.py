"""One render job in a worker: lease it, render the project with the engine, store the files, finish.

Progress from the engine becomes heartbeats and `JobEvent`s; a separate heartbeat thread keeps the
lease alive through long stages and turns a cancel request into the engine's cancel event. Each
attempt renders into its own work folder (`<data_dir>/work/<job>/attempt-N`); a new attempt deletes
the folders of earlier (killed) attempts, and finished files are put into the blob store (an atomic
rename locally, an upload to S3-compatible storage), so a killed worker leaves no corrupt files behind.
Asset inputs are found by their blob key (`localise_assets`) and fetched first when the store is a
bucket. Re-rendering is cheap because every engine stage caches its outputs by content.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from faceless.domain import Project
from faceless.domain.errors import FacelessError, InputError
from faceless.render.run import Cancelled
from faceless.service import jobs
from faceless.service.models import Artifact, Job, ProjectRow, ProjectVersion, utcnow
from faceless.storage.blobs import LocalBlobStore
from faceless.storage.keys import ARTIFACT_FILES, artifact_key, asset_key_of, asset_prefix, render_prefix

log = logging.getLogger("faceless.worker")

# Share of the whole job each engine stage takes (measured on a short script; only for the bar/ETA).
STAGE_WEIGHTS: dict[str, float] = {
    "voice": 0.35,
    "visuals": 0.08,
    "music": 0.04,
    "timeline": 0.01,
    "render": 0.42,
    "outputs": 0.1,
}
OVERRIDABLE = ("format", "voice", "captions", "music")


def localise_assets(project: Project, blobs: LocalBlobStore, org_id: str) -> None:
    """Point the project's asset files at this machine's copies (in place), refuse any file outside the
    organisation's assets, and with object storage fetch the ones it uses into the local copy first."""

    def here(path: str) -> str:
        key = asset_key_of(path, org_id)
        return str(blobs.root / key) if key else path

    for scene in project.scenes:
        if scene.visual is not None and scene.visual.path:
            scene.visual.path = here(scene.visual.path)
    if project.music.source not in ("generated", "none"):
        project.music.source = here(project.music.source)
    confine_paths(project, blobs.root / asset_prefix(org_id))
    materialise = getattr(blobs, "materialise", None)
    if materialise is not None:  # object storage: ffmpeg reads local files
        for scene in project.scenes:
            if scene.visual is not None and scene.visual.path:
                materialise(scene.visual.path)
        if project.music.source not in ("generated", "none"):
            materialise(project.music.source)


def overall_progress(stage: str, fraction: float) -> float:
    """Engine (stage, fraction of the stage) -> fraction of the whole job."""
    done = 0.0
    for name, weight in STAGE_WEIGHTS.items():
        if name == stage:
            return min(1.0, done + weight * max(0.0, min(1.0, fraction)))
        done += weight
    return done


def project_for_job(db: Session, job: Job, blobs: LocalBlobStore) -> Project:
    """The project version the job was submitted for, with the job's overrides, confined to the org's files."""
    data: dict[str, Any] | None = None
    if job.project_id is not None and job.project_version is not None:
        data = db.scalar(
            select(ProjectVersion.data).where(
                ProjectVersion.project_id == job.project_id, ProjectVersion.version == job.project_version
            )
        )
    if data is None and job.project_id is not None:
        data = db.scalar(select(ProjectRow.data).where(ProjectRow.id == job.project_id))
    if data is None:
        raise InputError("the project of this render was deleted: create it again and render")
    data = dict(data)
    for key, value in (job.payload.get("overrides") or {}).items():
        if key in OVERRIDABLE and value is not None:
            data[key] = (
                {**data[key], **value}
                if isinstance(value, dict) and isinstance(data.get(key), dict)
                else value
            )
    project = Project.from_data(data)
    localise_assets(project, blobs, job.org_id)
    return project


def confine_paths(project: Project, allowed: Path) -> None:
    """Refuse projects that point the engine at files outside the organisation's asset folder.

    The CLI trusts local paths; the service must not let one tenant read another's (or the server's) files.
    """
    allowed = allowed.resolve()

    def inside(path: str) -> bool:
        return Path(path).resolve().is_relative_to(allowed)

    for scene in project.scenes:
        if scene.visual is not None and scene.visual.path and not inside(scene.visual.path):
            raise InputError(
                f"scene {scene.id} uses a file that is not one of this organisation's assets: "
                "pick the visual from the asset library"
            )
        voices = [project.voice] + ([scene.voice] if scene.voice else [])
        for v in voices:
            if "/" in v.voice or "\\" in v.voice or v.voice.endswith(".onnx"):
                raise InputError(
                    "voice files cannot be given as paths on the server: use a voice id like piper:joe"
                )
    from faceless.providers import registry

    services = {
        s.id for s in registry.available("music")
    }  # e.g. jamendo: fetched by the provider, not a path
    if project.music.source not in ("generated", "none", *services) and not inside(project.music.source):
        raise InputError("music must be 'generated', 'none' or a file from this organisation's assets")
    if any(not inside(d) for d in project.media_dirs):
        raise InputError("media folders cannot be used on the server: upload the files as assets instead")


@dataclass
class WorkerOptions:
    lease: timedelta = jobs.DEFAULT_LEASE
    heartbeat_every: float = 0.0  # seconds between lease extensions; 0 = a quarter of the lease
    cancel_poll: float = 1.0  # seconds between cancel checks
    progress_every: float = 0.3  # minimum seconds between progress events of one stage


class JobProcessor:
    """Runs jobs handed over by the queue (`process(job_id)`); one instance per worker process."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        data_dir: Path,
        blobs: LocalBlobStore,
        owner: str,
        options: WorkerOptions | None = None,
    ) -> None:
        self.sessions = sessions
        self.work_root = Path(data_dir) / "work"
        self.blobs = blobs
        self.owner = owner
        self.options = options or WorkerOptions()
        self.shutdown = threading.Event()  # set when the worker stops: running renders are abandoned

    def process(self, job_id: str) -> None:
        """Lease `job_id` (or, if it is gone, the oldest leasable job) and run it to a final state."""
        if self.shutdown.is_set():
            return
        with self.sessions() as db:
            lease = jobs.lease(db, self.owner, job_id=job_id, ttl=self.options.lease) or jobs.lease(
                db, self.owner, ttl=self.options.lease
            )
        if lease is not None:
            self.run(lease)

    def run(self, lease: jobs.Lease) -> None:
        _Attempt(self, lease).run()


class _Attempt:
    """One lease of one job."""

    def __init__(self, processor: JobProcessor, lease: jobs.Lease) -> None:
        self.p = processor
        self.lease = lease
        self.cancel = threading.Event()
        self.lost = threading.Event()
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.db = processor.sessions()
        self.started = time.monotonic()
        self.stage = lease.stage
        self.progress = 0.0
        self.last_event = 0.0

    # --- database writes, serialised on one session -------------------------------------------

    def _beat(self, **kw: Any) -> None:
        if self.lost.is_set():
            return
        try:
            with self.lock:
                if jobs.heartbeat(self.db, self.lease, ttl=self.p.options.lease, **kw):
                    self.cancel.set()
        except jobs.LeaseLost:
            log.warning("job %s: lease lost (taken over or cancelled); stopping", self.lease.job_id)
            self.lost.set()
            self.cancel.set()

    def on_progress(self, stage: str, fraction: float, message: str) -> None:
        if self.p.shutdown.is_set():
            self.cancel.set()
        overall = max(self.progress, overall_progress(stage, fraction))
        now = time.monotonic()
        changed = stage != self.stage
        if not (
            changed or message or fraction >= 1.0 or now - self.last_event >= self.p.options.progress_every
        ):
            return
        self.stage, self.progress, self.last_event = stage, overall, now
        elapsed = now - self.started
        eta = elapsed * (1 - overall) / overall if overall >= 0.03 else None
        self._beat(stage=stage, progress=overall, eta_seconds=eta, message=message)

    def _heartbeats(self) -> None:
        opts = self.p.options
        every = opts.heartbeat_every or opts.lease.total_seconds() / 4
        last = time.monotonic()
        while not self.done.wait(opts.cancel_poll):
            if self.p.shutdown.is_set():
                self.cancel.set()
            if time.monotonic() - last >= every:
                self._beat()
                last = time.monotonic()
                continue
            try:
                with self.lock:
                    wanted = self.db.scalar(select(Job.cancel_requested).where(Job.id == self.lease.job_id))
                    self.db.rollback()  # end the read transaction so the next read sees new commits
            except Exception:  # noqa: BLE001 - a database blip must not kill the render
                log.debug("cancel check failed", exc_info=True)
                continue
            if wanted:
                self.cancel.set()

    # --- the attempt ------------------------------------------------------------------------------

    def run(self) -> None:
        from faceless.pipeline.context import RunContext
        from faceless.pipeline.runner import render_project
        from faceless.providers.usage import use_meter
        from faceless.service.usage import meter_for_job

        job_dir = self.p.work_root / self.lease.job_id
        out_dir = job_dir / f"attempt-{self.lease.attempt}"
        beats = threading.Thread(
            target=self._heartbeats, name=f"heartbeat-{self.lease.job_id[:8]}", daemon=True
        )
        try:
            _clean_other_attempts(job_dir, out_dir)
            job = self.db.get(Job, self.lease.job_id)
            assert job is not None
            org_id = job.org_id
            project = project_for_job(self.db, job, self.p.blobs)
            self.db.rollback()
            beats.start()
            # Paid provider calls of this job are recorded against its organisation and plan limit.
            with use_meter(meter_for_job(self.p.sessions, org_id, self.lease.job_id)):
                result = render_project(
                    project, out_dir, RunContext(progress=self.on_progress, cancel=self.cancel)
                )
            if self.cancel.is_set():
                raise Cancelled("cancelled")
            self._store(org_id, result.outputs, result.summary())
            self._finish("succeeded")
            shutil.rmtree(job_dir, ignore_errors=True)
        except Cancelled:
            if self.p.shutdown.is_set() and not self.lost.is_set():
                self._release()  # hand the job back; the next worker resumes it from the caches
                return
            self._finish("cancelled")
            shutil.rmtree(job_dir, ignore_errors=True)
        except FacelessError as e:  # bad input, rejected media, provider failure: retrying will not help
            self._finish("failed", error=str(e))
            shutil.rmtree(job_dir, ignore_errors=True)
        except Exception as e:  # noqa: BLE001 - record any failure on the job rather than lose it
            log.exception("job %s failed", self.lease.job_id)
            self._finish("failed", error=f"internal failure: {type(e).__name__}: {e}"[:2000])
        finally:
            self.done.set()
            if beats.is_alive():
                beats.join(timeout=5)
            self.db.close()

    def _finish(self, state: str, error: str | None = None) -> None:
        if self.lost.is_set():
            return
        try:
            with self.lock:
                jobs.finish(self.db, self.lease, state, error=error)
        except jobs.LeaseLost:
            log.warning("job %s: lease lost before finishing as %s", self.lease.job_id, state)

    def _release(self) -> None:
        """Give the job back to the queue at shutdown (this attempt is not counted)."""
        with self.lock:
            n = self.db.execute(
                update(Job)
                .where(
                    Job.id == self.lease.job_id, Job.lease_owner == self.lease.owner, Job.state == "running"
                )
                .values(
                    state="queued",
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts=Job.attempts - 1,
                    updated_at=utcnow(),
                )
            ).rowcount
            if n:
                jobs.append_event(self.db, self.lease.job_id, "state", message="queued (worker stopped)")
            self.db.commit()

    def _store(self, org_id: str, outputs: dict[str, Path], summary: dict[str, Any]) -> None:
        """Move the outputs into the blob store and record them (replacing an earlier attempt's records)."""
        rows = []
        for path in outputs.values():
            name = Path(path).name
            if name not in ARTIFACT_FILES or not Path(path).is_file():
                continue
            info = self.p.blobs.put_file(artifact_key(org_id, self.lease.job_id, name), Path(path), move=True)
            rows.append(
                Artifact(
                    org_id=org_id,
                    job_id=self.lease.job_id,
                    kind=name,
                    storage_key=info.key,
                    media_type=ARTIFACT_FILES[name],
                    size=info.size,
                    sha256=info.sha256,
                )
            )
        with self.lock:
            job = self.db.get(Job, self.lease.job_id)
            if job is None or job.lease_owner != self.lease.owner:
                self.db.rollback()
                self.lost.set()
                if job is None:  # deleted with its project while rendering: leave no files behind
                    self.p.blobs.delete_prefix(render_prefix(org_id, self.lease.job_id))
                return
            job.payload = {**job.payload, "result": _small_summary(summary)}
            for row in rows:
                row.project_id = job.project_id
            self.db.execute(delete(Artifact).where(Artifact.job_id == self.lease.job_id))
            self.db.add_all(rows)
            self.db.commit()


def _small_summary(summary: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "duration",
        "scenes",
        "scenes_rendered",
        "scenes_cached",
        "loudness",
        "timings",
        "scene_frames",
        "warnings",
    )
    return {k: summary[k] for k in keep if k in summary}


def _clean_other_attempts(job_dir: Path, keep: Path) -> None:
    """Delete work folders of earlier attempts of this job (left by a killed worker)."""
    if job_dir.is_dir():
        for child in job_dir.iterdir():
            if child != keep:
                shutil.rmtree(child, ignore_errors=True)
    if keep.exists():
        shutil.rmtree(keep, ignore_errors=True)
    keep.mkdir(parents=True, exist_ok=True)
