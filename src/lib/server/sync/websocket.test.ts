import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { decodeServerMessage, encodeMessage, MAX_FRAME_BYTES, PROTOCOL_VERSION, type ServerMessage } from '$lib/sync/protocol';
import { clinicians } from '$lib/fixtures';
import { demoUsers } from '$lib/server/access/users';
import { demoAccounts, demoDirectory } from '$lib/server/auth/directory';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { serverSessions, type ServerSessions } from '$lib/server/auth/sessions';
import { openHarness, type Harness } from './test-support';
import { attachSync, SESSION_ENDED, type SyncSocket, type SyncSocketOptions } from './websocket';

let h: Harness;
let server: Server;
let sync: SyncSocket;
let base: string;

const nurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;
const nurseClaims = demoAccounts().find((a) => a.user.id === nurse.id)!.claims;
/** Logins in the harness's real register, as the server keeps them. */
let sessions: ServerSessions;
let nurseCookie: string;
const authenticate: SyncSocketOptions['authenticate'] = (req) => sessions.user(req.headers.cookie);

beforeEach(async () => {
	h = await openHarness();
	sessions = serverSessions(h.store, demoDirectory);
	nurseCookie = `${SESSION_COOKIE}=${(await sessions.start(nurseClaims))!.token}`;
	server = createServer((_, res) => res.end('ok'));
	sync = attachSync(server, h.hub, { allowedOrigins: ['https://app.example'], authenticate });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
	await sync.close();
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
	await h.cleanup();
});

type Client = { ws: WebSocket; messages: ServerMessage[]; closed: Promise<number> };

/** A device on `path`: logged in as the nurse, without a session (null), or with a forged cookie. */
function connect(path = '/sync', origin?: string, session: 'nurse' | 'forged' | null = 'nurse'): Promise<Client> {
	const cookie = session === 'nurse' ? nurseCookie : `${SESSION_COOKIE}=${'A'.repeat(43)}`;
	const ws = new WebSocket(`${base}${path}`, { ...(origin ? { origin } : {}), headers: session === null ? {} : { cookie } });
	const messages: ServerMessage[] = [];
	ws.on('message', (data: Buffer) => {
		const decoded = decodeServerMessage(new Uint8Array(data));
		if (decoded.ok) messages.push(decoded.message);
	});
	const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
	return new Promise((resolve, reject) => {
		ws.once('open', () => resolve({ ws, messages, closed }));
		ws.once('unexpected-response', (_, res) => reject(new Error(`status ${res.statusCode}`)));
		ws.once('error', reject);
	});
}

const hello = encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'tablet-ws', digest: 'ab', empty: true });
const ping = encodeMessage({ type: 'ping' });

describe('sync WebSocket', () => {
	it('answers a binary hello with the welcome and every snapshot', async () => {
		const client = await connect();
		client.ws.send(hello);
		await vi.waitFor(() => expect(client.messages.at(-1)).toMatchObject({ type: 'snapshots', remaining: 0 }), { timeout: 5000 });
		expect(client.messages[0]).toMatchObject({ type: 'welcome', upToDate: false });
		client.ws.close();
	});

	it('accepts its own origin and listed ones, and refuses any other with 403 before upgrading', async () => {
		const own = await connect('/sync', base.replace('ws:', 'http:'));
		const listed = await connect('/sync', 'https://app.example');
		await expect(connect('/sync', 'https://evil.example')).rejects.toThrow('status 403');
		// Same host, other scheme: a page served over plain http is not the https app (nor the reverse).
		await expect(connect('/sync', base.replace('ws:', 'https:'))).rejects.toThrow('status 403');
		own.ws.close();
		listed.ws.close();
	});

	it('refuses a request without a session, or with a forged one, with 401 before upgrading', async () => {
		await expect(connect('/sync', undefined, null)).rejects.toThrow('status 401');
		await expect(connect('/sync', undefined, 'forged')).rejects.toThrow('status 401');
		expect(h.hub.stats.sessions).toBe(0);
	});

	it('refuses a text frame and keeps the socket', async () => {
		const client = await connect();
		client.ws.send('hello');
		client.ws.send(ping);
		await vi.waitFor(() => expect(client.messages.map((m) => m.type)).toEqual(['refused', 'pong']));
		expect(client.messages[0]).toMatchObject({ reason: 'frame-malformed', docId: null });
		client.ws.close();
	});

	it('closes a socket that sends an oversized frame, while another socket keeps working', async () => {
		const [big, other] = [await connect(), await connect()];
		big.ws.send(new Uint8Array(MAX_FRAME_BYTES + 1));
		expect(await big.closed).toBe(1009);
		other.ws.send(ping);
		await vi.waitFor(() => expect(other.messages).toEqual([{ type: 'pong' }]), { timeout: 3000 });
		other.ws.close();
	});

	it('leaves upgrades for other paths to their own handlers', async () => {
		const echo = new WebSocketServer({ noServer: true });
		server.on('upgrade', (req, socket, head) => {
			if (req.url === '/other') echo.handleUpgrade(req, socket, head, (ws) => ws.on('message', (d) => ws.send(d)));
		});
		const ws = new WebSocket(`${base}/other`, { origin: 'https://evil.example' });
		const reply = await new Promise<string>((resolve, reject) => {
			ws.once('open', () => ws.send('echo'));
			ws.once('message', (d: Buffer) => resolve(d.toString()));
			ws.once('error', reject);
		});
		expect(reply).toBe('echo');
		ws.close();
		echo.close();
	});

	it('drops a socket that stops answering pings', async () => {
		await sync.close();
		sync = attachSync(server, h.hub, { heartbeatMs: 50, authenticate });
		const client = await connect();
		await vi.waitFor(() => expect(h.hub.stats.sessions).toBe(1));
		client.ws.pause();
		await vi.waitFor(() => expect(h.hub.stats.sessions).toBe(0), { timeout: 2000 });
		client.ws.terminate();
	});

	it('closes a socket whose login ended (logged out on any device or process), and lets it in no more', async () => {
		await sync.close();
		sync = attachSync(server, h.hub, { heartbeatMs: 50, authenticate });
		const client = await connect();
		client.ws.send(ping);
		await vi.waitFor(() => expect(client.messages).toEqual([{ type: 'pong' }]));
		await sessions.end(nurseCookie);
		expect(await client.closed).toBe(SESSION_ENDED);
		await expect(connect()).rejects.toThrow('status 401');
	});
});
