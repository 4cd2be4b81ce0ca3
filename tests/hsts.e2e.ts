import { expect, test, type APIRequestContext } from './test';
import { serverProcess, type ServerProcess } from './server-process';

// Servers of their own (ports 4702–4704): one behind TLS by its https ORIGIN, one behind a proxy it
// is told to trust, one reached directly over plain http.
const behindTls = serverProcess(4702, undefined, { ORIGIN: 'https://localhost:4702' });
const trustingProxy = serverProcess(4703, undefined, { TRUST_PROXY: '1' }, { withoutOrigin: true });
const direct = serverProcess(4704, undefined, {}, { withoutOrigin: true });
const servers: ServerProcess[] = [behindTls, trustingProxy, direct];
test.beforeAll(async () => {
	await Promise.all(servers.map((s) => s.start()));
});
test.afterAll(async () => {
	await Promise.all(servers.map((s) => s.dispose()));
});

const PATHS = ['/', '/manifest.webmanifest', '/auth/me', '/healthz'];

/** The Strict-Transport-Security header of each path, as a request with `headers` gets it. */
async function hsts(request: APIRequestContext, server: ServerProcess, headers: Record<string, string> = {}): Promise<(string | undefined)[]> {
	return Promise.all(PATHS.map(async (path) => (await request.get(`${server.url}${path}`, { headers, maxRedirects: 0 })).headers()['strict-transport-security']));
}

const YEAR = 'max-age=31536000; includeSubDomains';

test('served over https, every response tells the browser to keep to https', async ({ request }) => {
	// TLS ends at the proxy in front: ORIGIN says the app's address is https.
	expect(await hsts(request, behindTls)).toEqual(PATHS.map(() => YEAR));
	// Behind a proxy the app trusts, its X-Forwarded-Proto says how the browser came.
	expect(await hsts(request, trustingProxy, { 'x-forwarded-proto': 'https' })).toEqual(PATHS.map(() => YEAR));
	expect(await hsts(request, trustingProxy, { 'x-forwarded-proto': 'https, http' })).toEqual(PATHS.map(() => YEAR));
});

test('served over plain http, no response claims https, whatever a client says it came by', async ({ request }) => {
	expect(await hsts(request, trustingProxy)).toEqual(PATHS.map(() => undefined));
	expect(await hsts(request, trustingProxy, { 'x-forwarded-proto': 'http' })).toEqual(PATHS.map(() => undefined));
	// Without TRUST_PROXY the header is anyone's to send: it is not believed.
	expect(await hsts(request, direct, { 'x-forwarded-proto': 'https' })).toEqual(PATHS.map(() => undefined));
	expect(await hsts(request, direct)).toEqual(PATHS.map(() => undefined));
});
