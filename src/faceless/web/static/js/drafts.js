// Wizard drafts kept on this device in IndexedDB, so the wizard works offline; drafts marked
// `pending` are sent to the server when the browser is back online.
import { api, toast } from "./api.js";

const DB_NAME = "faceless";
const STORE = "drafts";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

export const newDraftId = () =>
  (crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);

export const saveDraft = (draft) => run("readwrite", (s) => s.put({ ...draft, updated: Date.now() }));
export const getDraft = (id) => run("readonly", (s) => s.get(id));
export const deleteDraft = (id) => run("readwrite", (s) => s.delete(id));
export const listDrafts = async (org) =>
  ((await run("readonly", (s) => s.getAll())) || [])
    .filter((d) => !org || d.org === org)
    .sort((a, b) => b.updated - a.updated);

/** Scene list text → [{narration}]: a JSON list (of strings or {narration, keywords…}) or one scene per line. */
export function parseSceneList(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let data = JSON.parse(trimmed);
    if (!Array.isArray(data)) data = data.scenes || [];
    return data.map((s) => (typeof s === "string" ? { narration: s } : s));
  }
  return trimmed.split(/\n+/).map((line) => line.trim()).filter(Boolean).map((narration) => ({ narration }));
}

/** Input fields of a draft → the from-input request body (exactly one input field). */
export function inputBody(draft) {
  const text = draft.text.trim();
  const body = {};
  if (draft.kind === "script") body.script = text;
  else if (draft.kind === "topic") body.topic = text;
  else if (draft.kind === "scenes") body.scenes = parseSceneList(text);
  else if (/^https?:\/\/\S+$/i.test(text)) body.article_url = text;
  else body.article_text = text;
  if (draft.kind === "topic" || draft.kind === "article") body.duration = Number(draft.duration) || 60;
  if (draft.title) body.title = draft.title;
  return body;
}

/** Send one pending draft: make its scene cards (from-input), then save any offline edits. */
export async function syncDraft(draft) {
  if (!draft.projectId) {
    const created = await api("POST", `orgs/${draft.org}/projects/from-input`, inputBody(draft));
    draft.projectId = created.id;
    draft.version = created.version;
    draft.project = created.project;
    draft.dirty = false;
  } else if (draft.dirty && draft.project) {
    const saved = await api("PUT", `orgs/${draft.org}/projects/${draft.projectId}`, {
      project: draft.project, base_version: draft.version, message: "edited in the wizard",
    });
    draft.version = saved.version;
    draft.project = saved.project;
    draft.dirty = false;
  }
  draft.pending = false;
  await saveDraft(draft);
  return draft;
}

let syncing = false;

/** Sync every pending draft of the current organisation; announces `faceless:drafts-synced`. */
export async function syncDrafts() {
  if (syncing || !navigator.onLine) return [];
  syncing = true;
  const synced = [];
  try {
    for (const draft of await listDrafts(document.body.dataset.org)) {
      if (!draft.pending) continue;
      try {
        synced.push(await syncDraft(draft));
      } catch (error) {
        toast(`Draft "${draft.title || "untitled"}" not synced: ${error.message}`);
      }
    }
  } finally {
    syncing = false;
  }
  if (synced.length) {
    toast(`${synced.length} draft${synced.length > 1 ? "s" : ""} synced`);
    dispatchEvent(new CustomEvent("faceless:drafts-synced", { detail: synced }));
  }
  return synced;
}
