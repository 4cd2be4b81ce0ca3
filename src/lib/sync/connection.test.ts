import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from './client';
import { decodeClientMessage, encodeMessage } from './protocol';
import { SyncConnection, syncUrl } from './connection';

/** A WebSocket stand-in that records what is sent and lets the test open, answer and close it. */
class FakeSocket {
	static readonly CONNECTING = 0;
	static readonly OPEN = 1;
	static readonly CLOSED = 3;
	static all: FakeSocket[] = [];
	readyState = FakeSocket.CONNECTING;
	binaryType = 'blob';
	sent: string[] = [];
	onopen: (() => void) | null = null;
	onmessage: ((e: { data: unknown }) => void) | null = null;
	onclose: (() => void) | null = null;
	constructor(readonly url: string) {
		FakeSocket.all.push(this);
	}
	send(frame: Uint8Array): void {
		const decoded = decodeClientMessage(frame);
		this.sent.push(decoded.ok ? decoded.message.type : 'bad');
	}
	open(): void {
		this.readyState = FakeSocket.OPEN;
		this.onopen?.();
	}
	close(): void {
		this.readyState = FakeSocket.CLOSED;
		this.onclose?.();
	}
	answer(): void {
		const frame = encodeMessage({ type: 'pong' });
		this.onmessage?.({ data: frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength) });
	}
}

const win = new EventTarget();
const nav = { onLine: true, locks: undefined };
const latest = () => FakeSocket.all.at(-1);

let connection: SyncConnection;

beforeEach(() => {
	FakeSocket.all = [];
	nav.onLine = true;
	vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
	vi.stubGlobal('WebSocket', FakeSocket);
	vi.stubGlobal('navigator', nav);
	vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
	vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win));
	const repo = new PlanRepository(new DbepDb(`dbep-test-${crypto.randomUUID()}`));
	connection = new SyncConnection(repo, new SyncClient(repo, { peerId: 'tab' }), 'ws://tablet.test/sync');
	connection.start();
});

afterEach(() => {
	connection.stop();
	vi.useRealTimers();
	vi.unstubAllGlobals();
});

describe('SyncConnection', () => {
	it('derives the endpoint from the page origin', () => {
		expect(syncUrl({ href: 'https://dbep.example/patients/1', protocol: 'https:' } as Location)).toBe('wss://dbep.example/sync');
		expect(syncUrl({ href: 'http://localhost:4173/', protocol: 'http:' } as Location)).toBe('ws://localhost:4173/sync');
	});

	it('connects at once with binary frames and says hello when open', async () => {
		const ws = latest();
		expect(ws?.url).toBe('ws://tablet.test/sync');
		expect(ws?.binaryType).toBe('arraybuffer');
		ws?.open();
		await vi.waitFor(() => expect(ws?.sent).toEqual(['hello']));
	});

	it('closes the socket when the network goes and reconnects when it returns', () => {
		latest()?.open();
		nav.onLine = false;
		win.dispatchEvent(new Event('offline'));
		expect(latest()?.readyState).toBe(FakeSocket.CLOSED);
		vi.advanceTimersByTime(120_000);
		expect(FakeSocket.all).toHaveLength(1);
		nav.onLine = true;
		win.dispatchEvent(new Event('online'));
		expect(FakeSocket.all).toHaveLength(2);
	});

	it('retries failed connections with growing, jittered delays up to a minute', () => {
		const waits: number[] = [];
		for (let i = 0; i < 9; i++) {
			latest()?.close();
			const before = FakeSocket.all.length;
			let waited = 0;
			while (FakeSocket.all.length === before) {
				vi.advanceTimersByTime(100);
				waited += 100;
			}
			waits.push(waited);
		}
		expect(waits[0]).toBeGreaterThanOrEqual(500);
		expect(waits[0]).toBeLessThanOrEqual(1_000);
		expect(waits[3]).toBeGreaterThanOrEqual(4_000);
		expect(Math.max(...waits)).toBeLessThanOrEqual(60_000);
		expect(waits[8]).toBeGreaterThanOrEqual(30_000);
	});

	it('pings every 15 s and reconnects when nothing answers within 10 s', () => {
		const ws = latest();
		ws?.open();
		vi.advanceTimersByTime(15_000);
		expect(ws?.sent).toContain('ping');
		ws?.answer();
		vi.advanceTimersByTime(15_000);
		expect(ws?.readyState).toBe(FakeSocket.OPEN);
		vi.advanceTimersByTime(10_000);
		expect(ws?.readyState).toBe(FakeSocket.CLOSED);
		vi.advanceTimersByTime(1_000);
		expect(FakeSocket.all).toHaveLength(2);
	});

	it('reconnects at once on "sync now"', () => {
		latest()?.open();
		connection.syncNow();
		expect(FakeSocket.all).toHaveLength(2);
		expect(FakeSocket.all[0]?.readyState).toBe(FakeSocket.CLOSED);
	});
});
