import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { clinicians } from '$lib/fixtures';
import { openHarness, type Harness } from '$lib/server/sync/test-support';
import { attachSync, type SyncSocket } from '$lib/server/sync/websocket';
import { account } from '$lib/state/account.svelte';
import { decodeServerMessage, encodeMessage, PROTOCOL_VERSION, type ServerMessage } from '$lib/sync/protocol';
import { GET as me } from '../../../routes/auth/me/+server';
import { demoAccounts, demoDirectory } from './directory';
import { AUTH_RUNTIME, type AuthRuntime } from './runtime';
import { SESSION_COOKIE } from './session-cookie';
import { serverSessions, type ServerSessions } from './sessions';

const HOUR = 60 * 60_000;
/** The morning shift at the home-care base in Rana starts. */
const SHIFT_START = Date.parse('2026-11-20T06:45:00.000Z');

let h: Harness;
let sessions: ServerSessions;
let server: Server;
let sync: SyncSocket;
let base: string;
const globals = globalThis as { [AUTH_RUNTIME]?: Promise<AuthRuntime> };

beforeEach(async () => {
	// Only the clock is faked: sockets and the database keep their real timers.
	vi.useFakeTimers({ toFake: ['Date'] });
	vi.setSystemTime(SHIFT_START);
	h = await openHarness();
	sessions = serverSessions(h.store, demoDirectory);
	// What the /auth routes and src/server.js ask of the login runtime, over the register's real sessions.
	const runtime: Pick<AuthRuntime, 'sessions' | 'userOf' | 'sessionOf'> = { sessions, userOf: (c) => sessions.user(c), sessionOf: (c) => sessions.open(c) };
	globals[AUTH_RUNTIME] = Promise.resolve(runtime as AuthRuntime);
	server = createServer((_, res) => res.end('ok'));
	sync = attachSync(server, h.hub, { authenticate: (req) => sessions.user(req.headers.cookie) });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
	delete globals[AUTH_RUNTIME];
	vi.unstubAllGlobals();
	vi.useRealTimers();
	await sync.close();
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
	await h.cleanup();
});

async function logInNurse(): Promise<string> {
	const claims = demoAccounts().find((a) => a.user.id === clinicians.ranaNurse.id)!.claims;
	return `${SESSION_COOKIE}=${(await sessions.start(claims))!.token}`;
}

/** /auth/me as the route answers the tablet's request with `cookie`. */
const askMe = (cookie: string) => me({ request: new Request('http://tablet/auth/me', { headers: { cookie } }) } as Parameters<typeof me>[0]);

/** Opens /sync with the cookie and says hello: the first answer, or the HTTP status that refused the upgrade. */
function helloOverSync(cookie: string): Promise<ServerMessage | number> {
	const ws = new WebSocket(`${base}/sync`, { headers: { cookie } });
	return new Promise((resolve, reject) => {
		ws.once('open', () => ws.send(encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'rana-tablet', digest: 'ab', empty: true })));
		ws.once('message', (data: Buffer) => {
			const decoded = decodeServerMessage(new Uint8Array(data));
			ws.close();
			if (decoded.ok) resolve(decoded.message);
			else reject(new Error('the server sent a frame the device cannot read'));
		});
		ws.once('unexpected-response', (_, res) => resolve(res.statusCode ?? 0));
		ws.once('error', reject);
	});
}

describe('the offline shift', () => {
	it('keeps a login made at the start of a 12-hour shift: /sync and /auth/me accept it when the tablet is back, and the tablet stays logged in offline', async () => {
		const cookie = await logInNurse();
		// Online at the base: the tablet learns who is logged in and until when (the browser sends the cookie).
		vi.stubGlobal('fetch', () => askMe(cookie));
		await account.refresh();
		expect(account.user?.id).toBe(clinicians.ranaNurse.id);

		// Out on the road without coverage for 12 hours: every request fails, the login holds.
		vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
		vi.setSystemTime(SHIFT_START + 12 * HOUR);
		await account.refresh();
		expect(account.loginReason(Date.now())).toBeNull();

		// Back in coverage after 12 hours: the same cookie still opens sync and /auth/me.
		expect(await helloOverSync(cookie)).toMatchObject({ type: 'welcome' });
		const answer = await askMe(cookie);
		expect(answer.status).toBe(200);
		expect(Date.parse(((await answer.json()) as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now() + 3 * HOUR);

		// The login does end, with margin after the shift: then both refuse it and the tablet asks for a login.
		vi.setSystemTime(SHIFT_START + 16 * HOUR + 1000);
		expect(await helloOverSync(cookie)).toBe(401);
		expect((await askMe(cookie)).status).toBe(401);
		expect(account.loginReason(Date.now())).toBe('expired');
	});
});
