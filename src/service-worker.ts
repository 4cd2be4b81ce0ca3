/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
import { build, files, prerendered, version } from '$service-worker';

// Kept free of Automerge: its glue uses import.meta.url, which a classic worker script lacks.
const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `dbep-app-${version}`;
const SHELL = '/';
const PRECACHE = new Set([...build, ...files, ...prerendered, SHELL]);
const NETWORK_ONLY = ['/api', '/fhir', '/sync', '/healthz'];

sw.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...PRECACHE])));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

async function navigate(request: Request): Promise<Response> {
	try {
		return await fetch(request);
	} catch {
		// Offline: every app URL is answered by the cached shell, which starts the client router.
		const shell = await caches.match(SHELL, { cacheName: CACHE });
		return shell ?? new Response('Offline', { status: 503 });
	}
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	if (url.origin !== sw.location.origin) return;
	if (NETWORK_ONLY.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) return;
	if (request.mode === 'navigate') {
		event.respondWith(navigate(request));
		return;
	}
	if (PRECACHE.has(url.pathname)) {
		event.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((hit) => hit ?? fetch(request)));
	}
});
