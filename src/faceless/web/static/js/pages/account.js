// Account: API keys (create, shown once; revoke) and two-factor authentication.
import { api, busy, h, showError, toast } from "../api.js";

const keyForm = document.getElementById("key-form");
keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  busy(keyForm.querySelector("button"), async () => {
    try {
      const body = { name: keyForm.name.value.trim() };
      if (keyForm.days.value) body.expires_in_days = Number(keyForm.days.value);
      const key = await api("POST", "account/api-keys", body);
      document.getElementById("new-key").hidden = false;
      const field = document.getElementById("new-key-value");
      field.value = key.key;
      field.select();
      document.querySelector("#keys .empty-row")?.remove();
      document.getElementById("keys").prepend(h("tr", { dataset: { key: key.id } },
        h("td", { text: key.name }), h("td", {}, h("code", { text: `fl_${key.prefix}_…` })), h("td", { text: "never" }),
        h("td", { text: key.expires_at ? key.expires_at.slice(0, 10) : "never" }),
        h("td", {}, h("button", { type: "button", class: "button-danger", dataset: { action: "revoke", key: key.id }, text: "Revoke", "aria-label": `Revoke ${key.name}` }))));
      keyForm.reset();
    } catch (error) { showError("key-error", error); }
  });
});

document.getElementById("keys").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action=revoke]");
  if (!button || !confirm("Revoke this key? Scripts using it stop working.")) return;
  try {
    await api("DELETE", `account/api-keys/${button.dataset.key}`);
    button.closest("tr").remove();
    toast("Key revoked");
  } catch (error) { showError("key-error", error); }
});

document.getElementById("mfa-enrol")?.addEventListener("click", (event) => {
  busy(event.currentTarget, async () => {
    try {
      const enrol = await api("POST", "account/mfa/enrol");
      document.getElementById("mfa-qr").src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrol.qr_svg)}`;
      document.getElementById("mfa-secret").textContent = enrol.secret;
      document.getElementById("mfa-setup").hidden = false;
      document.getElementById("mfa-verify-code").focus();
    } catch (error) { showError("mfa-error", error); }
  });
});

document.getElementById("mfa-verify-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button"), async () => {
    try {
      const result = await api("POST", "account/mfa/verify", { code: form.code.value.trim() });
      document.getElementById("mfa-setup").hidden = true;
      document.getElementById("mfa-enrol").hidden = true;
      document.getElementById("recovery-codes").replaceChildren(...result.recovery_codes.map((c) => h("li", { text: c })));
      document.getElementById("recovery").hidden = false;
      toast("Two-factor authentication is on");
    } catch (error) { showError("mfa-error", error); }
  });
});

document.getElementById("mfa-disable-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  busy(form.querySelector("button"), async () => {
    try { await api("POST", "account/mfa/disable", { code: form.code.value.trim() }); location.reload(); }
    catch (error) { showError("mfa-error", error); }
  });
});
