// Set a new password with the token from the e-mailed link (it arrives in the URL fragment).
import { api, busy, clearError, showError } from "../api.js";

const token = new URLSearchParams(location.hash.slice(1)).get("token");
history.replaceState(null, "", location.pathname);  // the token leaves the address bar and history
const form = document.getElementById("reset-form");
if (!token) showError("reset-error", "This page needs the link from the e-mail: ask for a new one.");
document.getElementById("reset-password").focus();
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("reset-error");
  const password = form.password.value;
  if (password.length < 10) return showError("reset-error", "Choose a password of at least 10 characters.");
  busy(form.querySelector("button"), async () => {
    try {
      await api("POST", "auth/password/reset", { token, password });
      location.assign("/login?reset=1");
    } catch (error) { showError("reset-error", error); }
  });
});
