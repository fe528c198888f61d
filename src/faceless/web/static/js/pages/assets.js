// Asset library: upload (multipart, with progress) and search by words or meaning.
import { api, clearError, cookie, h, orgId, showError, toast } from "../api.js";

const base = `orgs/${orgId()}/assets`;
const list = document.getElementById("asset-list");

function card(asset) {
  const thumb = asset.thumbnail_url;
  const size = asset.width && asset.height ? ` · ${asset.width}×${asset.height}` : "";
  const duration = asset.duration ? ` · ${asset.duration.toFixed(1)} s` : "";
  return h("li", { dataset: { asset: asset.id } },
    thumb ? h("img", { src: thumb, alt: asset.description || asset.name, loading: "lazy" }) : null,
    h("strong", { text: asset.name }),
    h("p", { class: "muted", text: `${asset.kind || ""}${size}${duration}` }),
    asset.tags?.length ? h("p", { class: "hint", text: asset.tags.join(", ") }) : null,
  );
}

async function load(q = "", mode = "text") {
  clearError("library-error");
  try {
    const query = q ? `&q=${encodeURIComponent(q)}&mode=${encodeURIComponent(mode)}` : "";
    const page = await api("GET", `${base}?limit=60${query}`);
    const items = page.items || page;
    list.replaceChildren(...items.map(card));
    document.getElementById("asset-count").textContent = items.length ? `${page.total ?? items.length} asset(s)` : (q ? "Nothing matches." : "No assets yet: upload your own clips, images or music.");
  } catch (error) { showError("library-error", error); }
}

document.getElementById("search-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load(event.currentTarget.q.value.trim(), event.currentTarget.mode.value);
});

const form = document.getElementById("upload-form");
form?.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("upload-error");
  const file = form.file.files[0];
  if (!file) return showError("upload-error", "Choose a file to upload.");
  const data = new FormData();
  data.append("file", file);
  if (form.description.value.trim()) data.append("description", form.description.value.trim());
  if (form.tags.value.trim()) data.append("tags", form.tags.value.trim());
  // XMLHttpRequest, not fetch: it reports upload progress.
  const bar = document.getElementById("upload-progress");
  const xhr = new XMLHttpRequest();
  xhr.open("POST", `/api/v1/${base}`);
  xhr.setRequestHeader("X-CSRF-Token", cookie("fl_csrf"));
  xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100); });
  xhr.addEventListener("load", () => {
    bar.hidden = true;
    if (xhr.status >= 200 && xhr.status < 300) { toast(`Uploaded ${file.name}`); form.reset(); load(); return; }
    let message = `upload failed (HTTP ${xhr.status})`;
    try { message = JSON.parse(xhr.responseText).error.message; } catch { /* keep generic */ }
    showError("upload-error", message);
  });
  xhr.addEventListener("error", () => { bar.hidden = true; showError("upload-error", "Upload failed: check your connection and try again."); });
  bar.value = 0;
  bar.hidden = false;
  xhr.send(data);
});

load();
