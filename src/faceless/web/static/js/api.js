// Calls to the JSON API with the session cookies: CSRF header on unsafe methods, one silent token
// refresh when the access cookie has expired, and the API's one-line error message on failure.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const API = "/api/v1";

export function cookie(name) {
  const row = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return row ? decodeURIComponent(row.slice(name.length + 1)) : "";
}

let refreshing = null;

/** Swap the refresh cookie for new tokens; resolves true on success. Concurrent callers share one try. */
export function refreshSession() {
  if (!refreshing) {
    refreshing = fetch(`${API}/auth/refresh`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": cookie("fl_csrf") },
    })
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

async function errorFrom(response) {
  let code = "error";
  let message = `request failed (HTTP ${response.status})`;
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch { /* not JSON: keep the generic message */ }
  return new ApiError(response.status, code, message);
}

/** A raw fetch to the API (body may be FormData); retries once after refreshing an expired session. */
export async function apiFetch(method, path, { body, headers = {}, retry = true } = {}) {
  const init = { method, credentials: "same-origin", headers: { ...headers } };
  if (!["GET", "HEAD"].includes(method)) init.headers["X-CSRF-Token"] = cookie("fl_csrf");
  if (body !== undefined) {
    if (body instanceof FormData) init.body = body;
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  const response = await fetch(path.startsWith("/") ? path : `${API}/${path}`, init);
  // A 401 from the auth endpoints is an answer (wrong password or code), not an expired session.
  if (response.status === 401 && retry && !/(^|\/)auth\//.test(path)) {
    if (await refreshSession()) return apiFetch(method, path, { body, headers, retry: false });
    const next = encodeURIComponent(location.pathname + location.search);
    location.assign(`/login?next=${next}`);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** JSON API call: `api("POST", "orgs/x/projects", {...})` → parsed body (null for 204). */
export async function api(method, path, body) {
  const response = await apiFetch(method, path, { body });
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  return type.includes("json") ? response.json() : response.text();
}

/** The organisation the page shows (set by the server on <body>). */
export const orgId = () => document.body.dataset.org;

export function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.textContent = ""; }, 5000);
}

/** Show an error in a role=alert element (or a toast). */
export function showError(target, error) {
  const message = error instanceof Error ? error.message : String(error);
  const el = typeof target === "string" ? document.getElementById(target) : target;
  if (el) el.textContent = message;
  else toast(message);
}

export function clearError(target) {
  const el = typeof target === "string" ? document.getElementById(target) : target;
  if (el) el.textContent = "";
}

/** Build an element: h("li", {class: "x", text: "hi"}, child…). Text is always set as text, never HTML. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") el.textContent = value;
    else if (key === "class") el.className = value;
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) el.append(child);
  }
  return el;
}

/** Disable a button while `work` runs. */
export async function busy(button, work) {
  if (button) button.disabled = true;
  try { return await work(); } finally { if (button) button.disabled = false; }
}
