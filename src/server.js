// The production entry: one Node process, one port. It answers /healthz itself and hands every
// other request to SvelteKit's adapter-node handler. (The sync WebSocket joins it in issue #3.)
// Plain ESM with JSDoc types: Node 20 runs it without a loader, and svelte-check still checks it.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
process.env.ORIGIN ??= `http://localhost:${port}`;

/** @type {{ handler: import('node:http').RequestListener }} */
const { handler } = await import(/* @vite-ignore */ new URL('../build/handler.js', import.meta.url).href);
const startedAt = new Date().toISOString();
const serviceWorker = new URL('../build/client/service-worker.js', import.meta.url);

/**
 * The service worker script is read afresh and never cached, so a deployed version reaches
 * devices on their next check (the static handler would answer from what it saw at start).
 * @param {import('node:http').ServerResponse} res
 */
async function sendServiceWorker(res) {
	try {
		const body = await readFile(serviceWorker);
		res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
		res.end(body);
	} catch {
		res.writeHead(404).end();
	}
}

const server = createServer((req, res) => {
	if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
		res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
		res.end(JSON.stringify({ status: 'ok', startedAt }));
		return;
	}
	if (req.method === 'GET' && req.url === '/service-worker.js') {
		void sendServiceWorker(res);
		return;
	}
	handler(req, res);
});

server.listen(port, host, () => {
	console.log(`DBEP listening on http://localhost:${port}`);
});

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
	process.on(signal, () => server.close(() => process.exit(0)));
}
