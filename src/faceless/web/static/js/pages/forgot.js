// Ask for a password-reset link (the answer is the same whether or not the address has an account).
import { api, busy, clearError, showError } from "../api.js";

const form = document.getElementById("forgot-form");
document.getElementById("forgot-email").focus();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("forgot-error");
  const email = form.email.value.trim();
  if (!email) return showError("forgot-error", "Enter your e-mail address.");
  busy(form.querySelector("button"), async () => {
    try {
      await api("POST", "auth/password/forgot", { email });
      form.hidden = true;
      document.getElementById("forgot-sent").hidden = false;
    } catch (error) { showError("forgot-error", error); }
  });
});
