// The production entry: one Node process, one port. It answers /healthz itself and hands every
// other request to SvelteKit's adapter-node handler. (The sync WebSocket joins it in issue #3.)
// Plain ESM with JSDoc types: Node 20 runs it without a loader, and svelte-check still checks it.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
process.env.ORIGIN ??= `http://localhost:${port}`;

/** @type {{ handler: import('node:http').RequestListener }} */
const { handler } = await import(/* @vite-ignore */ new URL('../build/handler.js', import.meta.url).href);
const startedAt = new Date().toISOString();

const server = createServer((req, res) => {
	if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
		res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
		res.end(JSON.stringify({ status: 'ok', startedAt }));
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
