import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { encodeMessage, MAX_FRAME_BYTES } from '$lib/sync/protocol';
import type { User } from '$lib/server/access/users';
import type { SyncHub, SyncSession } from './hub';
import { ACCESS_CHANGED } from './session';

/** Close code telling a device its login ended (logout elsewhere, or expiry): it must log in again. */
export const SESSION_ENDED = 4401;

/**
 * Where sync listens, which page origins may open it (besides the server's own), how often dead
 * sockets are looked for, and who the request's user is: `authenticate` returns the user, or
 * null for a request without a session and 'invalid' for a forged, damaged or expired one: both
 * are refused with 401 before upgrading. Sync has no anonymous access; only the in-process hub
 * (tests, the benchmark) connects without a user.
 */
export type SyncSocketOptions = {
	path?: string;
	allowedOrigins?: readonly string[];
	heartbeatMs?: number;
	authenticate: (req: IncomingMessage) => Promise<User | null | 'invalid'>;
	/** Which login a request carries, by a name that opens nothing: the provenance of the changes its device sends names it. */
	login?: (req: IncomingMessage) => string | null;
};

/** The sync endpoint on a server: `handleUpgrade` takes a request for `path` (false for any other); `close` ends every socket. */
export type SyncSocket = {
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
	close(): Promise<void>;
};

function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
	const origin = req.headers.origin;
	// Browsers always send Origin on a WebSocket handshake; a client without one is not a page that could be hijacked.
	if (origin === undefined) return true;
	if (allowed.has(origin)) return true;
	try {
		// Same host is not enough: http://host and https://host are different sites.
		const page = new URL(origin);
		const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https:' : 'http:';
		return page.host === req.headers.host && page.protocol === scheme;
	} catch {
		return false;
	}
}

function refuseUpgrade(socket: Duplex, status: string): void {
	socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function toBytes(data: RawData): Uint8Array {
	if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
	return data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Bytes a socket may hold unsent before a fresh device's snapshots wait for it to drain: a few frames. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * The sync WebSocket over a hub: binary frames only, at most MAX_FRAME_BYTES (a larger one closes
 * that socket with 1009), Origin checked before upgrading (403), a ping every `heartbeatMs` and
 * sockets that missed the last one terminated.
 */
export function createSyncSocket(hub: SyncHub, options: SyncSocketOptions): SyncSocket {
	const path = options.path ?? '/sync';
	const allowed = new Set(options.allowedOrigins ?? []);
	const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
	const alive = new WeakMap<WebSocket, boolean>();
	const upgrades = new WeakMap<WebSocket, { req: IncomingMessage; user: User }>();

	wss.on('connection', (ws: WebSocket, user: User, req: IncomingMessage) => {
		upgrades.set(ws, { req, user });
		// ws closes the socket itself on a protocol error (1009 for an oversized frame) after reporting it here.
		ws.on('error', () => undefined);
		// Bytes handed to the socket and not yet written out, and who waits for them to drain.
		let unsent = 0;
		const waiting: (() => void)[] = [];
		const drained = () => {
			if (unsent < HIGH_WATER_BYTES || ws.readyState !== ws.OPEN) for (const resume of waiting.splice(0)) resume();
		};
		const send = (frame: Uint8Array) => {
			if (ws.readyState !== ws.OPEN) return;
			unsent += frame.byteLength;
			ws.send(frame, { binary: true }, () => {
				unsent -= frame.byteLength;
				drained();
			});
		};
		const writable = () => (unsent < HIGH_WATER_BYTES || ws.readyState !== ws.OPEN ? Promise.resolve() : new Promise<void>((resume) => waiting.push(resume)));
		ws.on('close', drained);
		let session: SyncSession;
		try {
			const login = options.login?.(req) ?? null;
			session = hub.connect(send, { disconnect: (code, reason) => ws.close(code, reason), writable, user, ...(login ? { login } : {}) });
		} catch {
			return ws.close(1001, 'server closing');
		}
		alive.set(ws, true);
		ws.on('pong', () => alive.set(ws, true));
		ws.on('message', (data, isBinary) => {
			if (isBinary) return void session.receive(toBytes(data));
			send(encodeMessage({ type: 'refused', reason: 'frame-malformed', docId: null, detail: 'text frames are not accepted' }));
		});
		ws.on('close', () => session.close());
	});

	const heartbeat = setInterval(() => {
		for (const ws of wss.clients) {
			if (!alive.get(ws)) {
				ws.terminate();
				continue;
			}
			alive.set(ws, false);
			ws.ping();
			void recheck(ws);
		}
	}, options.heartbeatMs ?? 30_000);

	/**
	 * A socket lives no longer than its session: ended (logout, on any process) or expired, it is
	 * closed; if the person's rights changed (a proxy revoked), the device is told to reconnect,
	 * and its next hello is answered with what it may see now.
	 */
	async function recheck(ws: WebSocket): Promise<void> {
		const upgrade = upgrades.get(ws);
		if (!upgrade) return;
		const now = await options.authenticate(upgrade.req).catch(() => null);
		if (now === null || now === 'invalid') return ws.close(SESSION_ENDED, 'session ended');
		if (JSON.stringify(now) !== JSON.stringify(upgrade.user)) ws.close(ACCESS_CHANGED, 'access changed');
	}
	heartbeat.unref();

	return {
		handleUpgrade(req, socket, head) {
			if (new URL(req.url ?? '/', 'http://x').pathname !== path) return false;
			if (!originAllowed(req, allowed)) return refuseUpgrade(socket, '403 Forbidden'), true;
			void options.authenticate(req).then(
				(user) => {
					if (user === null || user === 'invalid') return refuseUpgrade(socket, '401 Unauthorized');
					wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, user, req));
				},
				() => refuseUpgrade(socket, '503 Service Unavailable')
			);
			return true;
		},
		close() {
			clearInterval(heartbeat);
			for (const ws of wss.clients) ws.terminate();
			return new Promise((resolve) => wss.close(() => resolve()));
		}
	};
}

/** Serves sync on `server`'s upgrade requests for `path`, leaving every other upgrade (e.g. Vite's HMR) alone. */
export function attachSync(server: Server, hub: SyncHub, options: SyncSocketOptions): SyncSocket {
	const sync = createSyncSocket(hub, options);
	const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void sync.handleUpgrade(req, socket, head);
	server.on('upgrade', onUpgrade);
	return {
		handleUpgrade: sync.handleUpgrade,
		close: () => (server.off('upgrade', onUpgrade), sync.close())
	};
}
