// The production entry: one Node process, one port. It answers /healthz itself, hands every
// other request to SvelteKit's adapter-node handler, and serves the sync WebSocket at /sync.
// Plain ESM with JSDoc types: Node 20 runs it without a loader, and svelte-check still checks it.
// The sync code is TypeScript bundled by kit's build: importing the handler runs the app's init
// hook (src/hooks.server.ts), which opens the store and the hub and publishes them, with the
// function that attaches the WebSocket, on globalThis[Symbol.for('dbep.sync')], and starts login
// (the embedded OpenID provider and session cookies) on globalThis[Symbol.for('dbep.auth')].
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
// The init hook works out the app's addresses from the same (src/lib/server/auth/origins.ts).
process.env.PORT = String(port);
process.env.HOST = host;
// Without ORIGIN the app is served at the address it is reached at, when that is one of its own.
// adapter-node then builds each request's URL from these two headers, which this server sets on
// every request itself (see `served` below), overwriting whatever a client sent.
const fixedOrigin = Boolean(process.env.ORIGIN);
const SERVED_PROTOCOL = 'x-dbep-served-protocol';
const SERVED_HOST = 'x-dbep-served-host';
if (!fixedOrigin) {
	process.env.PROTOCOL_HEADER = SERVED_PROTOCOL;
	process.env.HOST_HEADER = SERVED_HOST;
}

// The sync worker (change-checker.ts) runs from its source file: kit's bundle does not carry it.
Reflect.set(globalThis, Symbol.for('dbep.sync.worker'), new URL('./lib/server/sync/change-check.worker.js', import.meta.url));
/** @type {{ handler: import('node:http').RequestListener }} */
const { handler } = await import(/* @vite-ignore */ new URL('../build/handler.js', import.meta.url).href);
/** @type {import('./lib/server/sync/runtime').SyncRuntime | undefined} */
const sync = Reflect.get(globalThis, Symbol.for('dbep.sync'));
if (!sync) throw new Error('DBEP: the sync runtime was not started by the build\'s init hook');
/** @type {Promise<import('./lib/server/auth/runtime').AuthRuntime> | undefined} */
const authStarting = Reflect.get(globalThis, Symbol.for('dbep.auth'));
if (!authStarting) throw new Error('DBEP: login was not started by the build\'s init hook');
const auth = await authStarting;
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

/**
 * Names the address a request is served as, for adapter-node: its own when this server serves
 * that host (the loopback names, its interface addresses, DBEP_ALLOWED_HOSTS), else the canonical
 * one, so that a forged or rebinding Host header never reaches a redirect or a link.
 * @param {import('node:http').IncomingMessage} req
 */
function served(req) {
	if (fixedOrigin) return;
	const origin = new URL(auth.servedOrigin(req.headers.host) ?? auth.origins.canonical);
	req.headers[SERVED_PROTOCOL] = origin.protocol.slice(0, -1);
	req.headers[SERVED_HOST] = origin.host;
}

// TLS ends in front of this process. An https ORIGIN says every browser reaches the app over
// https; a proxy's X-Forwarded-Proto is believed only with TRUST_PROXY=1 (as the login provider
// believes its X-Forwarded-* headers), since any client can send one to a server it reaches directly.
const httpsOrigin = fixedOrigin && auth.origins.canonical.startsWith('https:');
const trustProxy = process.env.TRUST_PROXY === '1';
/** A year, subdomains too: once a tablet has the app over https it never asks for it over http. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Whether the browser got this request over https.
 * @param {import('node:http').IncomingMessage} req
 */
function overHttps(req) {
	if (httpsOrigin || ('encrypted' in req.socket && req.socket.encrypted)) return true;
	if (!trustProxy) return false;
	const header = req.headers['x-forwarded-proto'];
	// A chain of proxies lists the schemes from the client's end first.
	const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim().toLowerCase();
	return first === 'https';
}

/**
 * Headers every response carries, pages, assets and the login provider alike: no framing by
 * another page (clickjacking the nurse's patient list), no content sniffing, no referrer (a plan's
 * address names a patient id), and over https, HSTS (no later visit over plain http, where a
 * network could read or change the plans). The pages' Content-Security-Policy comes from kit
 * (svelte.config.js).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
function setSecurityHeaders(req, res) {
	res.setHeader('x-frame-options', 'DENY');
	res.setHeader('x-content-type-options', 'nosniff');
	res.setHeader('referrer-policy', 'no-referrer');
	if (overHttps(req)) res.setHeader('strict-transport-security', HSTS);
}

/**
 * The FHIR API's search is a form post (as the national care plan API has it) from another
 * server, which sends no Origin header, and kit's CSRF check refuses a form post without one.
 * /fhir answers bearer tokens only and never reads a cookie, so such a request is named as coming
 * from the address it is served at; a browser's cross-site form post carries its own Origin and
 * stays refused.
 * @param {import('node:http').IncomingMessage} req
 */
function fhirServerToServer(req) {
	if (req.headers.origin || !req.url?.startsWith('/fhir/')) return;
	req.headers.origin = fixedOrigin ? auth.origins.canonical : (auth.servedOrigin(req.headers.host) ?? auth.origins.canonical);
}

const server = createServer((req, res) => {
	setSecurityHeaders(req, res);
	if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
		res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
		res.end(JSON.stringify({ status: 'ok', startedAt }));
		return;
	}
	if (req.method === 'GET' && req.url === '/service-worker.js') {
		void sendServiceWorker(res);
		return;
	}
	// The embedded identity provider (/oidc, /interaction) when no other issuer is configured.
	if (auth.provider?.handle(req, res)) return;
	served(req);
	fhirServerToServer(req);
	handler(req, res);
});

// Pages of these origins may open /sync besides the app's own addresses (comma-separated SYNC_ALLOWED_ORIGINS).
const allowedOrigins = [...auth.origins.all, ...(process.env.SYNC_ALLOWED_ORIGINS ?? '').split(',')]
	.map((origin) => origin?.trim() ?? '')
	.filter(Boolean);
const syncSocket = sync.attach(server, { path: '/sync', allowedOrigins, authenticate: (req) => auth.userOf(req.headers.cookie), login: (req) => auth.loginOf(req.headers.cookie) });

server.listen(port, host, () => {
	console.log(`DBEP listening on ${auth.origins.canonical}`);
});

let stopping = false;
/** Stops taking connections, ends the sync sockets, lets commits in flight finish, closes the store. */
async function shutdown() {
	if (stopping || !sync) return;
	stopping = true;
	setTimeout(() => process.exit(1), 10_000).unref();
	server.close();
	await syncSocket.close();
	server.closeIdleConnections();
	await sync.close();
	process.exit(0);
}

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
	process.on(signal, () => void shutdown());
}
