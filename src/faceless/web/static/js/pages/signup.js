// Create an account; the API signs the new user in (cookies), then we go on to the app.
import { api, busy, clearError, showError } from "../api.js";

const form = document.getElementById("signup-form");
document.getElementById("signup-name").focus();

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("signup-error");
  const body = { name: form.name.value.trim(), email: form.email.value.trim(), password: form.password.value };
  if (!body.email) return showError("signup-error", "Enter your email address.");
  if (body.password.length < 10) return showError("signup-error", "Choose a password of at least 10 characters.");
  busy(form.querySelector("button"), async () => {
    try {
      await api("POST", "auth/signup", body);
      location.assign(form.dataset.next && form.dataset.next !== "/" ? form.dataset.next : "/new");
    } catch (error) { showError("signup-error", error); }
  });
});
