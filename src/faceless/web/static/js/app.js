// Entry module of every page: navigation, organisation switch, sign-out, service worker, network
// status, then the page's own module (named by <body data-page>).
import { api, refreshSession } from "./api.js";
import { syncDrafts } from "./drafts.js";

const page = document.body.dataset.page;

function setupNav() {
  const toggle = document.getElementById("nav-toggle");
  const menu = document.getElementById("nav-menu");
  if (!toggle || !menu) return;
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
    if (open) menu.querySelector("a")?.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      menu.classList.remove("open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
}

function setupOrgSwitch() {
  const select = document.getElementById("org-switch");
  if (!select) return;
  select.addEventListener("change", () => {
    document.cookie = `fl_org=${encodeURIComponent(select.value)}; path=/; max-age=31536000; samesite=strict`;
    const url = new URL(location.href);
    url.searchParams.delete("org");
    location.assign(url.pathname.startsWith("/projects/") ? "/" : url.pathname + url.search);
  });
}

function setupSignOut() {
  const button = document.getElementById("sign-out");
  if (!button) return;
  button.addEventListener("click", async () => {
    try { await api("POST", "auth/logout"); } catch { /* already signed out */ }
    if ("caches" in self) await caches.delete("faceless-pages").catch(() => {});
    location.assign("/login");
  });
}

function setupNetworkStatus() {
  const banner = document.getElementById("net-status");
  const update = () => {
    if (banner) banner.hidden = navigator.onLine;
    if (navigator.onLine && document.body.dataset.org) syncDrafts().catch(() => {});
  };
  addEventListener("online", update);
  addEventListener("offline", update);
  update();
}

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/", type: "classic" });
  } catch (error) {
    console.warn("service worker not registered:", error);
  }
}

setupNav();
setupOrgSwitch();
setupSignOut();
setupNetworkStatus();
registerServiceWorker();
// Long sessions: renew the 15-minute access cookie before it lapses (the API retries on 401 anyway).
if (document.body.dataset.org) setInterval(() => refreshSession(), 10 * 60 * 1000);

if (page && /^[a-z]+$/.test(page)) {
  import(`./pages/${page}.js`).catch((error) => console.error(`page module ${page}:`, error));
}
