import { createServer, type Server } from 'node:http';
import { expect, test } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, logOutWith } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// Another site on the same host (another port is the same site to the browser): the attacker.
let server: ServerProcess;
let attacker: Server;
const attackerUrl = 'http://localhost:4541';
let attackerPage = '';

test.beforeAll(async () => {
	server = serverProcess(4540);
	await server.start();
	attacker = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage));
	await new Promise<void>((resolve) => attacker.listen(4541, '127.0.0.1', resolve));
});
test.afterAll(async () => {
	await new Promise((resolve) => attacker.close(resolve));
	await server.dispose();
});

test('every page says it may not be framed, sniffed or referred, and runs only its own code', async ({ request }) => {
	const page = await request.get(`${server.url}/`);
	const csp = page.headers()['content-security-policy'] ?? '';
	expect(csp).toContain("frame-ancestors 'none'");
	expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
	expect(csp).toContain("object-src 'none'");
	for (const path of ['/', '/manifest.webmanifest', '/auth/me', '/healthz']) {
		const res = await request.get(`${server.url}${path}`);
		expect(res.headers()['x-frame-options'], path).toBe('DENY');
		expect(res.headers()['x-content-type-options'], path).toBe('nosniff');
		expect(res.headers()['referrer-policy'], path).toBe('no-referrer');
	}
});

test('a page on another port cannot frame the nurse\'s patient list, nor log her out', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	const blocked: string[] = [];
	page.on('console', (m) => m.type() === 'error' && /Content Security Policy/.test(m.text()) && blocked.push(m.text()));
	await logIn(page, clinicians.ranaNurse.name, server.url);
	await expect(page.getByRole('link', { name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
	// The app itself runs under its policy: nothing of its own was blocked.
	expect(blocked).toEqual([]);

	attackerPage = `<!doctype html><title>x</title><iframe id="app" src="${server.url}/" width="800" height="600"></iframe>
		<script>fetch('${server.url}/auth/logout', { method: 'POST', mode: 'no-cors', credentials: 'include' }).then(() => { document.title = 'sent'; }, () => { document.title = 'sent'; });</script>`;
	const evil = await context.newPage();
	await evil.goto(attackerUrl);
	await expect(evil).toHaveTitle('sent');
	const frame = evil.frames().find((f) => f !== evil.mainFrame());
	// The framed app never shows: Chromium replaces a refused frame with its error page.
	await expect.poll(() => frame?.url()).toMatch(/^chrome-error:/);

	// Still logged in: the forged logout was refused.
	const me = await page.evaluate(async () => (await fetch('/auth/me')).status);
	expect(me).toBe(200);
	await page.reload();
	await expect(page.getByTestId('signed-in')).toBeVisible({ timeout: 20_000 });
	await context.close();
});

test('after logout a copy of the session cookie opens nothing: not the API, not the sync socket', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	await logIn(page, clinicians.ranaNurse.name, server.url);
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	const copied = await context.cookies();

	// Someone else's browser holding the copy works while the nurse is logged in.
	const thief = await browser.newContext();
	await thief.addCookies(copied);
	expect((await thief.request.get(`${server.url}/auth/me`)).status()).toBe(200);

	await logOutWith(page.getByRole('button', { name: 'Logg ut' }));

	expect((await thief.request.get(`${server.url}/auth/me`)).status()).toBe(401);
	expect((await thief.request.get(`${server.url}/api/clinicians`)).status()).toBe(401);
	const thiefPage = await thief.newPage();
	await thiefPage.goto(`${server.url}/healthz`);
	const socket = await thiefPage.evaluate(
		(url) =>
			new Promise<string>((resolve) => {
				const ws = new WebSocket(url);
				ws.onopen = () => resolve('open');
				ws.onerror = () => resolve('refused');
			}),
		server.url.replace('http:', 'ws:') + '/sync'
	);
	expect(socket).toBe('refused');
	await thief.close();
	await context.close();
});
