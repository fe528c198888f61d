// Projects dashboard: duplicate/delete, and the wizard drafts kept on this device.
import { api, h, orgId, showError, toast } from "../api.js";
import { deleteDraft, listDrafts } from "../drafts.js";

document.getElementById("project-list")?.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  const id = button.dataset.project;
  try {
    if (button.dataset.action === "duplicate") {
      const copy = await api("POST", `orgs/${orgId()}/projects/${id}/duplicate`);
      location.assign(`/projects/${copy.id}`);
    } else if (button.dataset.action === "delete") {
      if (!confirm(`Delete "${button.dataset.title}" and its history?`)) return;
      await api("DELETE", `orgs/${orgId()}/projects/${id}`);
      button.closest("li").remove();
      toast("Project deleted");
    }
  } catch (error) { showError(null, error); }
});

async function showDrafts() {
  const drafts = (await listDrafts(orgId())).filter((d) => !d.rendered && (d.text?.trim() || d.project));
  const list = document.getElementById("local-drafts");
  list.replaceChildren(...drafts.map((d) => h("li", { class: "card" },
    h("h3", { class: "card-title" }, h("a", { href: `/new?draft=${encodeURIComponent(d.id)}`, text: d.title || (d.text || "").slice(0, 60) || "Untitled draft" })),
    h("p", { class: "muted", text: `${d.pending ? "waiting to sync · " : ""}saved ${new Date(d.updated).toLocaleString()}` }),
    h("button", { type: "button", class: "button-quiet", text: "Discard draft", onclick: async () => { await deleteDraft(d.id); showDrafts(); } }),
  )));
  document.getElementById("drafts-section").hidden = drafts.length === 0;
}

showDrafts().catch(() => {});
addEventListener("faceless:drafts-synced", () => showDrafts());
