// Scene cards and style fields shared by the wizard and the project editor.
import { h } from "./api.js";

/**
 * One editable scene card. `opts`: {thumb: url|null, thumbShape: "portrait"|"landscape"|"square", readOnly,
 * onInput(text), onMove(delta), onDelete()}.
 */
export function sceneCard(scene, index, count, opts = {}) {
  const id = `scene-${index}-narration`;
  const textarea = h("textarea", { id, rows: 3, readonly: opts.readOnly, dataset: { scene: scene.id } });
  textarea.value = scene.narration;
  textarea.addEventListener("input", () => opts.onInput?.(textarea.value));
  const tools = opts.readOnly ? null : h("div", { class: "scene-tools" },
    opts.onMove ? h("button", { type: "button", text: "Move up", disabled: index === 0, "aria-label": `Move scene ${index + 1} up`, onclick: () => opts.onMove(-1) }) : null,
    opts.onMove ? h("button", { type: "button", text: "Move down", disabled: index === count - 1, "aria-label": `Move scene ${index + 1} down`, onclick: () => opts.onMove(1) }) : null,
    opts.onDelete ? h("button", { type: "button", class: "button-danger", text: "Remove", disabled: count === 1, "aria-label": `Remove scene ${index + 1}`, onclick: () => opts.onDelete() }) : null,
  );
  let thumb = null;
  if (opts.thumb) {
    const shape = opts.thumbShape || "portrait";
    const [width, height] = { portrait: [90, 160], landscape: [160, 90], square: [120, 120] }[shape];
    const words = scene.narration.trim().split(/\s+/);
    const said = words.slice(0, 10).join(" ") + (words.length > 10 ? " …" : "");
    thumb = h("img", { class: `scene-thumb ${shape}`, alt: `Preview of scene ${index + 1}: ${said}`, loading: "lazy", width, height });
    // A busy server answers 503 (previews are drawn a few at a time): ask once more a little later.
    thumb.addEventListener("error", () => {
      if (thumb.dataset.retried) return;
      thumb.dataset.retried = "1";
      setTimeout(() => { thumb.src = `${opts.thumb}${opts.thumb.includes("?") ? "&" : "?"}retry=1`; }, 2500);
    });
    thumb.src = opts.thumb;
  }
  const keywords = scene.keywords?.length ? h("p", { class: "hint", text: `Keywords: ${scene.keywords.join(", ")}` }) : null;
  return h("li", { class: "scene-card", dataset: { sceneId: scene.id } },
    thumb,
    h("div", { class: "scene-body" },
      h("div", { class: "field" }, h("label", { for: id, text: `Scene ${index + 1} narration` }), textarea),
      keywords,
      tools,
    ),
  );
}

const field = (prefix, name) => document.getElementById(`${prefix}-${name}`);

/** Fill the style fields from a project. */
export function writeStyle(prefix, project) {
  if (!field(prefix, "format")) return;
  field(prefix, "format").value = project.format || "shorts";
  field(prefix, "voice").value = project.voice?.voice || "piper:joe";
  field(prefix, "speed").value = project.voice?.speed ?? 1;
  field(prefix, "captions").value = project.captions?.style || "pop";
  field(prefix, "highlight").value = (project.captions?.highlight_colour || "#ffd700").toLowerCase();
  const music = project.music?.source || "generated";
  const select = field(prefix, "music");
  if (![...select.options].some((o) => o.value === music)) select.append(new Option(music, music));
  select.value = music;
  field(prefix, "mood").value = project.music?.mood || "calm";
  field(prefix, "volume").value = project.music?.volume_db ?? -18;
  for (const kind of ["stock", "images"]) {
    for (const box of document.querySelectorAll(`#${prefix}-sources input[name="${kind}"]`)) {
      box.checked = (project[kind] || []).includes(box.value);
    }
  }
}

/** Apply the style fields to a project (returns the same object). */
export function readStyle(prefix, project) {
  if (!field(prefix, "format")) return project;
  project.format = field(prefix, "format").value;
  project.voice = { ...(project.voice || {}), voice: field(prefix, "voice").value.trim() || "piper:joe", speed: Number(field(prefix, "speed").value) || 1 };
  project.captions = { ...(project.captions || {}), style: field(prefix, "captions").value, highlight_colour: field(prefix, "highlight").value.toUpperCase() };
  project.music = { ...(project.music || {}), source: field(prefix, "music").value, mood: field(prefix, "mood").value, volume_db: Math.min(0, Number(field(prefix, "volume").value) || -18) };
  if (document.getElementById(`${prefix}-sources`)) {
    // Only providers offered here are toggled; others already in the project are kept.
    for (const kind of ["stock", "images"]) {
      const boxes = [...document.querySelectorAll(`#${prefix}-sources input[name="${kind}"]`)];
      const offered = new Set(boxes.map((b) => b.value));
      const kept = (project[kind] || []).filter((id) => !offered.has(id));
      project[kind] = [...kept, ...boxes.filter((b) => b.checked).map((b) => b.value)];
    }
  }
  return project;
}

/** A new scene id the engine accepts (unique within the project). */
export function newSceneId(project) {
  const ids = new Set(project.scenes.map((s) => s.id));
  let n = project.scenes.length + 1;
  while (ids.has(`s${String(n).padStart(2, "0")}-new`)) n += 1;
  return `s${String(n).padStart(2, "0")}-new`;
}
