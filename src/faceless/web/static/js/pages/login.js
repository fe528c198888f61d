// Sign in: password, then the TOTP step when the account has MFA. A still-valid refresh cookie
// signs the user straight back in.
import { api, clearError, cookie, refreshSession, showError, busy } from "../api.js";

const form = document.getElementById("login-form");
const mfaForm = document.getElementById("mfa-form");
const next = form.dataset.next || "/";
let mfaToken = null;

const done = () => location.assign(next);

// Back from Google/GitHub: an error to show, or (MFA accounts) the second step's token in the fragment.
const oauthError = new URLSearchParams(location.search).get("oauth_error");
const fromOAuth = new URLSearchParams(location.hash.slice(1)).get("mfa");
if (oauthError) showError("login-error", oauthError);
if (new URLSearchParams(location.search).get("reset")) {
  const note = document.getElementById("login-error");
  note.textContent = "Password changed: sign in with the new one.";
}
if (fromOAuth) {
  history.replaceState(null, "", location.pathname + location.search);  // the token leaves the address bar
  mfaToken = fromOAuth;
  form.hidden = true;
  mfaForm.hidden = false;
  document.getElementById("mfa-code").focus();
} else {
  if (cookie("fl_csrf")) {
    refreshSession().then((ok) => { if (ok) done(); });
  }
  document.getElementById("login-email").focus();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("login-error");
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) return showError("login-error", "Enter your email and password.");
  busy(form.querySelector("button"), async () => {
    try {
      const result = await api("POST", "auth/login", { email, password });
      if (result.mfa_required) {
        mfaToken = result.mfa_token;
        form.hidden = true;
        mfaForm.hidden = false;
        document.getElementById("mfa-code").focus();
      } else done();
    } catch (error) { showError("login-error", error); }
  });
});

mfaForm.addEventListener("submit", (event) => {
  event.preventDefault();
  clearError("mfa-error");
  busy(mfaForm.querySelector("button"), async () => {
    try {
      await api("POST", "auth/login/mfa", { mfa_token: mfaToken, code: mfaForm.code.value.trim() });
      done();
    } catch (error) {
      showError("mfa-error", error);
      if (error.code === "mfa_token_invalid") { mfaForm.hidden = true; form.hidden = false; }
    }
  });
});
