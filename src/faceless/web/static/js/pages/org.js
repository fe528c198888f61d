// Organisation settings: rename, members and roles, invitations, join with a code, create a team.
import { api, busy, h, orgId, showError, toast } from "../api.js";

const base = `orgs/${orgId()}`;
const table = document.getElementById("members-table");
const canManage = table.dataset.canManage === "true";
const me = table.dataset.me;
const ROLES = ["viewer", "editor", "admin", "owner"];

async function loadMembers() {
  try {
    const members = await api("GET", `${base}/members`);
    document.getElementById("members").replaceChildren(...members.map((m) => {
      const who = h("td", {}, h("strong", { text: m.name || m.email }), h("br"), h("span", { class: "muted", text: m.email }));
      let role = h("td", { text: m.role });
      if (canManage && m.user_id !== me) {
        const id = `role-${m.user_id}`;
        const select = h("select", { id }, ...ROLES.map((r) => h("option", { value: r, text: r, selected: r === m.role })));
        select.addEventListener("change", async () => {
          try { await api("PATCH", `${base}/members/${m.user_id}`, { role: select.value }); toast(`${m.email} is now ${select.value}`); }
          catch (error) { select.value = m.role; showError("members-error", error); }
        });
        role = h("td", {}, h("label", { for: id, class: "visually-hidden", text: `Role of ${m.email}` }), select);
      }
      const remove = (canManage || m.user_id === me) ? h("button", {
        type: "button", class: "button-danger", text: m.user_id === me ? "Leave" : "Remove",
        "aria-label": m.user_id === me ? "Leave this organisation" : `Remove ${m.email}`,
        onclick: async () => {
          if (!confirm(m.user_id === me ? "Leave this organisation?" : `Remove ${m.email}?`)) return;
          try {
            await api("DELETE", `${base}/members/${m.user_id}`);
            if (m.user_id === me) { document.cookie = "fl_org=; path=/; max-age=0"; location.assign("/"); } else loadMembers();
          } catch (error) { showError("members-error", error); }
        },
      }) : null;
      return h("tr", {}, who, role, h("td", {}, remove));
    }));
  } catch (error) { showError("members-error", error); }
}

async function loadInvitations() {
  const list = document.getElementById("invitations");
  if (!list) return;
  try {
    const invitations = (await api("GET", `${base}/invitations`)).filter((i) => !i.accepted_at);
    list.replaceChildren(...invitations.map((i) => h("li", {},
      h("span", { text: `${i.email} · ${i.role} · until ${new Date(i.expires_at).toLocaleDateString()}` }),
      h("button", { type: "button", class: "button-quiet", text: "Cancel", "aria-label": `Cancel invitation of ${i.email}`,
        onclick: async () => { await api("DELETE", `${base}/invitations/${i.id}`); loadInvitations(); } }))));
  } catch { /* members.invite may be missing */ }
}

function onSubmit(id, work) {
  const form = document.getElementById(id);
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button"), async () => {
      try { await work(form); } catch (error) { showError("members-error", error); toast(error.message); }
    });
  });
}

onSubmit("rename-form", async (form) => {
  await api("PATCH", base, { name: form.name.value.trim() });
  location.reload();
});
onSubmit("invite-form", async (form) => {
  const created = await api("POST", `${base}/invitations`, { email: form.email.value.trim(), role: form.role.value });
  document.getElementById("invite-link").textContent = `Send ${created.email} this invitation code: ${created.token}`;
  form.reset();
  loadInvitations();
});
onSubmit("accept-form", async (form) => {
  const org = await api("POST", "invitations/accept", { token: form.token.value.trim() });
  document.cookie = `fl_org=${encodeURIComponent(org.id)}; path=/; max-age=31536000; samesite=strict`;
  location.assign("/settings/org");
});
onSubmit("team-form", async (form) => {
  const org = await api("POST", "orgs", { name: form.name.value.trim() });
  document.cookie = `fl_org=${encodeURIComponent(org.id)}; path=/; max-age=31536000; samesite=strict`;
  location.assign("/settings/org");
});

loadMembers();
loadInvitations();
