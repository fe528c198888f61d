// Project editor: scene cards with thumbnails and inline narration editing (each save is a new
// version), render with live progress over Server-Sent Events, then the player and downloads.
import { api, busy, clearError, h, showError, toast } from "../api.js";
import { readStyle, sceneCard, writeStyle } from "../scenes.js";

const boot = JSON.parse(document.getElementById("boot-data").textContent);
const base = `orgs/${boot.org}/projects/${boot.project_id}`;
const rendersBase = `/api/v1/orgs/${boot.org}/renders`;
let project = boot.project;
let version = boot.version;
let dirty = false;
const saveStatus = document.getElementById("save-status");
const FILE_LABELS = {
  "video.mp4": "Video (MP4)", "captions.srt": "Captions (SRT)", "captions.vtt": "Captions (WebVTT)",
  "captions.ass": "Styled captions (ASS)", "words.json": "Word timings (JSON)", "thumbnail.jpg": "Thumbnail (JPEG)",
  "project.json": "Project file (JSON)", "timeline.otio": "Timeline (OpenTimelineIO)", "credits.json": "Credits (JSON)",
};

function markDirty(on) {
  dirty = on;
  saveStatus.textContent = on ? "Unsaved changes" : "";
}

/** A short, stable hash of a string (FNV-1a), for cache-busting URLs. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

// The preview has the video's shape (the portrait formats are the default).
const THUMB_SHAPES = { youtube: "landscape", square: "square" };

function renderScenes() {
  const list = document.getElementById("editor-scenes");
  list.replaceChildren(...project.scenes.map((scene, i) => {
    // The preview is drawn from the saved project; its URL changes with whatever it shows, so the
    // browser fetches a new one after a save and keeps the old one otherwise.
    const thumbKey = hash(JSON.stringify([i, scene, project.format, project.captions]));
    const card = sceneCard(scene, i, project.scenes.length, {
      readOnly: !boot.can_write,
      thumbShape: THUMB_SHAPES[project.format] || "portrait",
      thumb: `/api/v1/orgs/${boot.org}/projects/${boot.project_id}/scenes/${encodeURIComponent(scene.id)}/preview.jpg?k=${thumbKey}`,
      onInput: (text) => {
        scene.narration = text;
        card.classList.add("dirty");
        markDirty(true);
      },
    });
    return card;
  }));
}

async function save(message) {
  const empty = project.scenes.findIndex((s) => !s.narration.trim());
  if (empty >= 0) throw new Error(`Scene ${empty + 1} has no narration: write some text before saving.`);
  readStyle("edit", project);
  const saved = await api("PUT", base, { project, base_version: version, message });
  project = saved.project;
  version = saved.version;
  document.getElementById("project-version").textContent = String(version);
  document.getElementById("project-title").textContent = saved.title;
  markDirty(false);
  saveStatus.textContent = `Saved as version ${version}`;
  renderScenes();
  loadVersions();
}

document.getElementById("save-project")?.addEventListener("click", (event) => {
  busy(event.currentTarget, async () => {
    try { await save("edited scenes"); } catch (error) { showError("render-error", error); }
  });
});

document.getElementById("editor-style")?.addEventListener("change", () => markDirty(true));
addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });

// --- render progress -----------------------------------------------------------------------------

const progressBar = document.getElementById("render-progress");
const stageText = document.getElementById("render-stage");
const percentText = document.getElementById("render-percent");
const etaText = document.getElementById("render-eta");
const logBox = document.getElementById("render-log");
const cancelButton = document.getElementById("cancel-render");
const renderButton = document.getElementById("start-render");
let source = null;

const pct = (p) => Math.max(0, Math.min(100, Math.round((p > 1 ? p : p * 100) * 10) / 10));

function showProgress(event) {
  document.getElementById("render-box").hidden = false;
  const progress = event.percent ?? event.progress;
  if (typeof progress === "number") {
    const value = pct(event.percent !== undefined ? event.percent / 100 : progress);
    if (value >= Number(progressBar.value)) {
      progressBar.value = value;
      progressBar.textContent = `${value}%`;
      percentText.textContent = `${value}%`;
    }
  }
  // State events carry "running (attempt 1, worker …)": the first word is the state to show.
  const stage = event.stage || (event.kind === "state" ? (event.message || "").split(" ")[0] : "");
  if (stage) stageText.textContent = stage;
  const eta = event.eta_seconds ?? event.eta;
  etaText.textContent = typeof eta === "number" && eta > 0 ? `· about ${Math.ceil(eta)} s left` : "";
  if (event.message) logBox.textContent += `${event.stage ? `[${event.stage}] ` : ""}${event.message}\n`;
}

function finished(state) {
  return ["succeeded", "failed", "cancelled"].includes(state);
}

async function follow(jobId) {
  source?.close();
  document.getElementById("render-box").hidden = false;
  cancelButton && (cancelButton.hidden = false);
  renderButton && (renderButton.disabled = true);
  source = new EventSource(`${rendersBase}/${encodeURIComponent(jobId)}/events`);
  const onEvent = (message) => {
    let data = {};
    try { data = JSON.parse(message.data); } catch { data = { message: message.data }; }
    showProgress(data);
    const state = data.state || (data.kind === "state" ? data.message : "");
    if (finished(state)) { source.close(); done(jobId); }
  };
  source.onmessage = onEvent;
  // Named events of the render API: state, progress, log; `end` once the job is final.
  for (const name of ["progress", "state", "log"]) source.addEventListener(name, onEvent);
  source.addEventListener("end", () => { source.close(); done(jobId); });
  source.onerror = async () => {
    // The stream ended or dropped: the job's own state decides whether we are done.
    try {
      const job = await api("GET", `${rendersBase}/${encodeURIComponent(jobId)}`);
      if (finished(job.state)) { source.close(); done(jobId, job); }
      // An HTTP error (e.g. the access cookie lapsed; api() has refreshed it) closes the stream for good.
      else if (source.readyState === EventSource.CLOSED) setTimeout(() => follow(jobId), 1000);
    } catch { /* keep the EventSource retrying */ }
  };
}

async function done(jobId, job = null) {
  source?.close();
  job = job || (await api("GET", `${rendersBase}/${encodeURIComponent(jobId)}`));
  cancelButton && (cancelButton.hidden = true);
  renderButton && (renderButton.disabled = false);
  stageText.textContent = job.state;
  if (job.state !== "succeeded") {
    showError("render-error", job.error || `Render ${job.state}.`);
    return;
  }
  progressBar.value = 100;
  percentText.textContent = "100%";
  etaText.textContent = "";
  showResult(jobId, job);
}

function fileNames(job) {
  const raw = job.files || job.artifacts || [];
  const names = raw.map((f) => (typeof f === "string" ? f : f.name || f.filename)).filter(Boolean);
  return names.length ? names : ["video.mp4"];
}

function showResult(jobId, job) {
  const filesBase = `${rendersBase}/${encodeURIComponent(jobId)}/files`;
  const player = document.getElementById("player");
  const names = fileNames(job);
  player.src = `${filesBase}/video.mp4`;
  if (names.includes("thumbnail.jpg")) player.poster = `${filesBase}/thumbnail.jpg`;
  player.replaceChildren();
  if (names.includes("captions.vtt")) {
    player.append(h("track", { kind: "captions", src: `${filesBase}/captions.vtt`, srclang: project.language || "en", label: "Captions" }));
  }
  document.getElementById("downloads").replaceChildren(...names.map((name) =>
    h("li", {}, h("a", { href: `${filesBase}/${encodeURIComponent(name)}`, download: name, text: FILE_LABELS[name] || name }))));
  document.getElementById("result").hidden = false;
}

renderButton?.addEventListener("click", () => {
  clearError("render-error");
  busy(renderButton, async () => {
    try {
      if (dirty) await save("edited before render");
      progressBar.value = 0;
      logBox.textContent = "";
      stageText.textContent = "queued";
      const job = await api("POST", `${base}/renders`, {});
      history.replaceState(null, "", `?render=${encodeURIComponent(job.id)}`);
      document.getElementById("result").hidden = true;
      follow(job.id);
    } catch (error) { showError("render-error", error); }
  });
});

cancelButton?.addEventListener("click", () => {
  const jobId = new URLSearchParams(location.search).get("render") || boot.job?.id;
  if (!jobId) return;
  busy(cancelButton, async () => {
    try { await api("POST", `${rendersBase}/${encodeURIComponent(jobId)}/cancel`); toast("Cancelling…"); } catch (error) { showError("render-error", error); }
  });
});

// --- version history -----------------------------------------------------------------------------

async function loadVersions() {
  try {
    const page = await api("GET", `${base}/versions?limit=20`);
    document.getElementById("version-list").replaceChildren(...page.items.map((v) =>
      h("li", { text: `v${v.version} · ${new Date(v.created_at).toLocaleString()}${v.message ? ` · ${v.message}` : ""}` })));
  } catch { /* history is optional */ }
}

renderScenes();
writeStyle("edit", project);
loadVersions();
const jobId = new URLSearchParams(location.search).get("render") || boot.job?.id;
if (jobId) {
  const state = boot.job && boot.job.id === jobId ? boot.job.state : null;
  // A finished job shows its result (or why it failed); a live one is followed.
  if (finished(state)) done(jobId).catch((error) => showError("render-error", error));
  else follow(jobId);
}
