// New-video wizard: input → scene cards → style → render. Every change is kept as a draft in
// IndexedDB; offline, "Next" and "Save draft" mark the draft pending and it syncs when back online.
import { api, busy, clearError, orgId, showError, toast } from "../api.js";
import { getDraft, newDraftId, saveDraft, syncDraft } from "../drafts.js";
import { newSceneId, readStyle, sceneCard, writeStyle } from "../scenes.js";

const LABELS = {
  script: ["Script", "Paste the narration. Each paragraph or a few sentences become a scene."],
  article: ["Article text or URL", "Paste the article, or its web address: it is summarised into a narration."],
  scenes: ["Scene list", "One scene per line, or JSON: a list of {\"narration\": \"…\"} objects."],
  topic: ["Topic", "Describe the subject: a script is written for it (needs a language model provider)."],
};

const inputForm = document.getElementById("input-form");
const status = document.getElementById("draft-status");
let draft = null;

function showStep(step, focus = true) {
  for (const n of [1, 2, 3]) {
    document.getElementById(`step-${n}`).hidden = n !== step;
    const marker = document.querySelector(`#wizard-steps li[data-step="${n}"]`);
    if (n === step) marker.setAttribute("aria-current", "step"); else marker.removeAttribute("aria-current");
  }
  draft.step = step;
  persist();
  if (focus && step > 1) document.getElementById(`step-${step}-title`).focus();
  if (step === 2) renderScenes();
  if (step === 3) writeStyle("style", draft.project);
}

function persist() {
  if (!draft.text?.trim() && !draft.project) return Promise.resolve(); // nothing worth keeping yet
  // Put the draft in the address, so a reload (also offline, from the service worker) reopens it.
  if (new URLSearchParams(location.search).get("draft") !== draft.id) {
    history.replaceState(null, "", `/new?draft=${encodeURIComponent(draft.id)}`);
  }
  return saveDraft(draft).then(() => {
    status.textContent = `${draft.pending ? "Waiting to sync · " : ""}Draft saved on this device at ${new Date().toLocaleTimeString()}`;
  }).catch(() => {});
}

function updateKind() {
  const kind = inputForm.kind.value;
  const [label, help] = LABELS[kind];
  document.getElementById("input-text-label").textContent = label;
  document.getElementById("input-help").textContent = help;
  document.getElementById("duration-field").hidden = !(kind === "topic" || kind === "article");
}

function readInput() {
  draft.kind = inputForm.kind.value;
  draft.title = inputForm.title.value.trim();
  draft.text = inputForm.text.value;
  draft.duration = Number(inputForm.duration.value) || 60;
}

function fillInput() {
  inputForm.kind.value = draft.kind || "script";
  inputForm.title.value = draft.title || "";
  inputForm.text.value = draft.text || "";
  inputForm.duration.value = draft.duration || 60;
  updateKind();
}

let saveTimer = null;
inputForm.addEventListener("input", () => {
  readInput();
  updateKind();
  clearTimeout(saveTimer);
  saveTimer = setTimeout(persist, 400);
});

inputForm.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("input-error");
  readInput();
  if (!draft.text.trim()) return showError("input-error", "Write or paste something first.");
  busy(document.getElementById("to-scenes"), async () => {
    if (draft.projectId && draft.inputSent === JSON.stringify([draft.kind, draft.text])) return showStep(2);
    draft.projectId = null; // the input changed: make new scene cards
    draft.pending = true;
    if (!navigator.onLine) {
      await persist();
      return showError("input-error", "You are offline: the draft is saved on this device and the scene cards are made when you are back online.");
    }
    try {
      await syncDraft(draft);
      draft.inputSent = JSON.stringify([draft.kind, draft.text]);
      showStep(2);
    } catch (error) { showError("input-error", error); }
  });
});

function renderScenes() {
  const list = document.getElementById("wizard-scenes");
  const scenes = draft.project.scenes;
  list.replaceChildren(...scenes.map((scene, i) => sceneCard(scene, i, scenes.length, {
    onInput: (text) => { scene.narration = text; draft.dirty = true; clearTimeout(saveTimer); saveTimer = setTimeout(persist, 400); },
    onMove: (delta) => {
      const [moved] = scenes.splice(i, 1);
      scenes.splice(i + delta, 0, moved);
      draft.dirty = true; persist(); renderScenes();
      list.children[i + delta]?.querySelector("textarea")?.focus();
    },
    onDelete: () => { scenes.splice(i, 1); draft.dirty = true; persist(); renderScenes(); },
  })));
}

document.getElementById("add-scene").addEventListener("click", () => {
  draft.project.scenes.push({ id: newSceneId(draft.project), narration: "New scene narration." });
  draft.dirty = true;
  persist();
  renderScenes();
  const cards = document.querySelectorAll("#wizard-scenes textarea");
  cards[cards.length - 1].select();
});

function scenesValid() {
  clearError("scenes-error");
  const empty = draft.project.scenes.findIndex((s) => !s.narration.trim());
  if (empty >= 0) {
    showError("scenes-error", `Scene ${empty + 1} has no narration: write some text or remove the scene.`);
    document.getElementById(`scene-${empty}-narration`)?.focus();
    return false;
  }
  return true;
}

document.getElementById("back-to-input").addEventListener("click", () => showStep(1));
document.getElementById("to-style").addEventListener("click", () => { if (scenesValid()) showStep(3); });
document.getElementById("back-to-scenes").addEventListener("click", () => showStep(2));
document.getElementById("style-form").addEventListener("change", () => {
  readStyle("style", draft.project); draft.dirty = true; persist();
});

async function save() {
  readStyle("style", draft.project);
  draft.dirty = true;
  draft.pending = true;
  await persist();
  if (!navigator.onLine) {
    toast("Offline: the draft is kept on this device and synced when you are back online.");
    return false;
  }
  await syncDraft(draft);
  await persist();
  return true;
}

document.getElementById("save-draft").addEventListener("click", (event) => {
  clearError("style-error");
  busy(event.currentTarget, async () => {
    try { if (await save()) toast("Draft saved"); } catch (error) { showError("style-error", error); }
  });
});

document.getElementById("style-form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("style-error");
  if (!scenesValid()) return showStep(2);
  busy(document.getElementById("render-video"), async () => {
    try {
      if (!(await save())) return showError("style-error", "You are offline: render when you are back online; the draft is kept.");
      const job = await api("POST", `orgs/${orgId()}/projects/${draft.projectId}/renders`, {});
      draft.rendered = true;
      await persist();
      location.assign(`/projects/${draft.projectId}?render=${encodeURIComponent(job.id)}`);
    } catch (error) { showError("style-error", error); }
  });
});

addEventListener("faceless:drafts-synced", async () => {
  const fresh = await getDraft(draft.id);
  if (!fresh) return;
  draft = fresh;
  if (draft.step === 1 && draft.projectId) { draft.inputSent = JSON.stringify([draft.kind, draft.text]); showStep(2); }
});

async function start() {
  const wanted = new URLSearchParams(location.search).get("draft");
  draft = (wanted && (await getDraft(wanted).catch(() => null))) || null;
  if (!draft || draft.org !== orgId()) {
    draft = { id: newDraftId(), org: orgId(), kind: "script", text: "", title: "", duration: 60, step: 1, pending: false };
  }
  fillInput();
  showStep(draft.project && draft.step > 1 ? draft.step : 1, false);
  if (draft.step === 1) document.getElementById("input-text").focus();
}

start();
