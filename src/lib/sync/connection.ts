import type { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from './client';
import { encodeMessage } from './protocol';
import { INITIAL_SYNC_STATE, type SyncClientState } from './sync-state';

/** Sync as the interface shows it: the exchange's state and whether a socket is open. */
export type SyncStatus = SyncClientState & { connected: boolean };

const HEARTBEAT_MS = 15_000;
const PONG_TIMEOUT_MS = 10_000;
const MIN_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
const LOCK = 'dbep-sync';

type TabMessage = { type: 'status'; status: SyncStatus } | { type: 'ask' } | { type: 'sync-now' };

/** The sync endpoint on the page's own origin (`ws:` or `wss:`). */
export function syncUrl(location: Location = globalThis.location): string {
	const url = new URL('/sync', location.href);
	url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
	return url.href;
}

/**
 * The browser transport: one WebSocket to `/sync`, opened by the one tab holding the Web Lock,
 * reopened with backoff and jitter, on `online` and on demand, closed on `offline` and when the
 * heartbeat goes unanswered. Other tabs see the status through a BroadcastChannel.
 */
export class SyncConnection {
	#socket: WebSocket | null = null;
	#failures = 0;
	#retry: ReturnType<typeof setTimeout> | undefined;
	#beat: ReturnType<typeof setInterval> | undefined;
	#deadline: ReturnType<typeof setTimeout> | undefined;
	#holding = false;
	#stopped = false;
	#release: (() => void) | null = null;
	#status: SyncStatus = { ...INITIAL_SYNC_STATE, connected: false };
	readonly #listeners = new Set<(status: SyncStatus) => void>();
	readonly #cleanup: (() => void)[] = [];
	readonly #channel: BroadcastChannel | null;

	constructor(
		readonly repo: PlanRepository,
		readonly client: SyncClient,
		readonly url = syncUrl()
	) {
		this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`dbep-sync:${repo.db.name}`) : null;
	}

	/** Calls `listener` with every new status; returns the function that stops it. */
	subscribe(listener: (status: SyncStatus) => void): () => void {
		this.#listeners.add(listener);
		listener(this.#status);
		return () => this.#listeners.delete(listener);
	}

	#show(status: SyncStatus): void {
		this.#status = status;
		for (const l of this.#listeners) l(status);
	}

	#publish(): void {
		const open = this.#socket?.readyState === WebSocket.OPEN;
		const phase = this.#socket && !open ? 'connecting' : this.client.state.phase;
		this.#show({ ...this.client.state, phase, connected: open });
		this.#post({ type: 'status', status: this.#status });
	}

	#post(message: TabMessage): void {
		this.#channel?.postMessage(message);
	}

	/** Waits for the sync lock and, once this tab holds it, keeps the device synced until `stop`. */
	start(): void {
		const on = <K extends keyof WindowEventMap>(type: K, fn: () => void) => {
			addEventListener(type, fn);
			this.#cleanup.push(() => removeEventListener(type, fn));
		};
		on('online', () => this.syncNow());
		on('offline', () => this.#drop());
		this.#cleanup.push(this.client.subscribe(() => this.#holding && this.#publish()));
		this.#cleanup.push(this.repo.subscribe(() => this.#socket?.readyState === WebSocket.OPEN && void this.client.localChanged()));
		this.#channel?.addEventListener('message', (e: MessageEvent<TabMessage>) => {
			if (this.#holding && e.data.type === 'sync-now') this.syncNow();
			else if (this.#holding && e.data.type === 'ask') this.#publish();
			else if (!this.#holding && e.data.type === 'status') this.#show(e.data.status);
		});
		this.#post({ type: 'ask' });
		const hold = () =>
			new Promise<void>((release) => {
				this.#holding = true;
				this.#release = release;
				this.#connect();
			});
		if (navigator.locks) void navigator.locks.request(LOCK, hold);
		else void hold();
	}

	/** Syncs now: reconnects at once (a fresh exchange costs one round trip when nothing changed). */
	syncNow(): void {
		if (!this.#holding) return this.#post({ type: 'sync-now' });
		this.#failures = 0;
		this.#drop();
		this.#connect();
	}

	/** Closes the socket, gives up the lock and stops listening. */
	stop(): void {
		this.#stopped = true;
		this.#drop();
		clearTimeout(this.#retry);
		for (const fn of this.#cleanup.splice(0)) fn();
		this.#channel?.close();
		this.#holding = false;
		this.#release?.();
	}

	#connect(): void {
		clearTimeout(this.#retry);
		if (!this.#holding || this.#stopped || this.#socket) return;
		if (!navigator.onLine) {
			this.client.stop('offline');
			return this.#publish();
		}
		const ws = new WebSocket(this.url);
		ws.binaryType = 'arraybuffer';
		this.#socket = ws;
		ws.onopen = () => {
			void this.client.start((frame) => ws.readyState === WebSocket.OPEN && ws.send(frame as Uint8Array<ArrayBuffer>));
			this.#beat = setInterval(() => this.#ping(ws), HEARTBEAT_MS);
			this.#publish();
		};
		ws.onmessage = (e: MessageEvent<unknown>) => {
			clearTimeout(this.#deadline);
			this.#deadline = undefined;
			this.#failures = 0;
			if (e.data instanceof ArrayBuffer) void this.client.receive(new Uint8Array(e.data));
		};
		ws.onclose = () => this.#closed(ws);
		this.#publish();
	}

	#ping(ws: WebSocket): void {
		if (ws.readyState !== WebSocket.OPEN || this.#deadline) return;
		ws.send(encodeMessage({ type: 'ping' }) as Uint8Array<ArrayBuffer>);
		// Any frame counts as an answer; silence means a dead link that the browser has not noticed.
		this.#deadline = setTimeout(() => this.#drop(), PONG_TIMEOUT_MS);
	}

	/** Closes the socket now, without waiting for the browser to notice a dead network. */
	#drop(): void {
		const ws = this.#socket;
		if (!ws) return;
		this.#closed(ws);
		ws.close();
	}

	#closed(ws: WebSocket): void {
		if (this.#socket !== ws) return;
		ws.onopen = ws.onmessage = ws.onclose = null;
		this.#socket = null;
		clearInterval(this.#beat);
		clearTimeout(this.#deadline);
		this.#deadline = undefined;
		this.client.stop(navigator.onLine ? 'idle' : 'offline');
		this.#publish();
		this.#schedule();
	}

	#schedule(): void {
		if (this.#stopped || !this.#holding || !navigator.onLine) return;
		const base = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.#failures);
		this.#failures++;
		clearTimeout(this.#retry);
		this.#retry = setTimeout(() => this.#connect(), base / 2 + (Math.random() * base) / 2);
	}
}

/** Starts syncing this device with the server (one tab at a time). */
export async function startSync(repo: PlanRepository): Promise<SyncConnection> {
	const connection = new SyncConnection(repo, new SyncClient(repo, { peerId: await repo.peerId() }));
	connection.start();
	return connection;
}
