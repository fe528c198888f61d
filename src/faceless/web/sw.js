// Faceless service worker: keeps the app shell (styles, scripts, icons, offline page) and the pages
// last seen, so the wizard opens offline; the API is always network-only.
const VERSION = "__VERSION__";
const SHELL_CACHE = `faceless-shell-${VERSION}`;
const PAGE_CACHE = "faceless-pages";
const SHELL = __SHELL__;
const OFFLINE_PAGES = ["/", "/new"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("faceless-shell-") && k !== SHELL_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirstPage(request) {
  const url = new URL(request.url);
  try {
    const response = await fetch(request);
    if (response.ok && OFFLINE_PAGES.includes(url.pathname) && !response.redirected) {
      const cache = await caches.open(PAGE_CACHE);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch {
    return (await caches.match(url.pathname, { cacheName: PAGE_CACHE }))
      || (await caches.match("/offline"))
      || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

async function staleWhileRevalidate(request) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(request, response.clone());
    return response;
  }).catch(() => cached);
  return cached || fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith("/static/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(staleWhileRevalidate(request));
  }
});

self.addEventListener("message", (event) => {
  // Sign-out: forget the cached pages, they show the account's data.
  if (event.data === "clear-pages") event.waitUntil(caches.delete(PAGE_CACHE));
});
