package pages

// workerJS replaces go-app's /app-worker.js (app.Handler's
// ServiceWorkerTemplate; go-app's app.js still registers it). go-app's
// worker copies every resource into Cache Storage on install — the 10 MB
// wasm a second time during the first load — and answers every request
// of the origin from that cache: each navigation waits for the worker to
// start and relay it, and a cached page is served stale although our
// pages are Cache-Control: no-store (which Cache Storage ignores).
//
// This worker has no fetch handler, so Chromium does not start it for
// navigations or subresources: requests go to the HTTP cache and the
// network, and our assets are content-versioned, so they need no worker
// to stay fresh. It takes over from go-app's worker at once
// (skipWaiting, clients.claim) and deletes go-app's caches ("app-" and
// the version). go-app's push and notification-click handlers are left
// out: Gloss sends no push notifications. go-app's update notice
// (AppUpdateAvailable) fires once when an installed go-app worker is
// replaced by this one, then never, as this script does not change.
//
// It is not a Go template's output: it has no {{…}} actions, so go-app's
// template step leaves it as it is.
const workerJS = `// Gloss: no fetch handler — the browser does not route requests through this worker.
self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("app-")).map((k) => caches.delete(k))
        )
      )
      .then(() => self.clients.claim())
  );
});
`
