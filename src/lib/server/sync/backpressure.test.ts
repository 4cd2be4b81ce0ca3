import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import { demoDocuments, ranaCaseload } from '$lib/fixtures';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { decodeServerMessage, encodeMessage, PROTOCOL_VERSION, type ServerMessage } from '$lib/sync/protocol';
import { SyncHub } from './hub';

const hello = encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'tablet-fresh', digest: '00', empty: true });

describe('a fresh device over a slow link', () => {
	let dir: string;
	let store: ReturnType<typeof openSqliteStore>;
	let hub: SyncHub;
	beforeAll(async () => {
		dir = await mkdtemp(join(tmpdir(), 'dbep-backpressure-'));
		store = openSqliteStore(join(dir, 'documents.sqlite'));
		hub = new SyncHub(store, { log: () => undefined });
		// A little over 1 MiB of plans: two frames of snapshots.
		await hub.seedIfEmpty([...demoDocuments(), ...ranaCaseload(170)]);
	}, 120_000);
	afterAll(async () => {
		await hub.close();
		await store.close();
		await rm(dir, { recursive: true, force: true });
	});

	it('is sent its snapshots a frame at a time as its socket drains, not all at once', async () => {
		const got: ServerMessage[] = [];
		let open!: () => void;
		let gate = new Promise<void>((resume) => (open = resume));
		let waits = 0;
		const session = hub.connect((f) => void got.push((decodeServerMessage(f) as { ok: true; message: ServerMessage }).message), {
			writable: () => (waits++, gate)
		});
		const handled = session.receive(hello);
		await vi.waitFor(() => expect(waits).toBe(1), { timeout: 20_000 });
		// The socket is full: past the welcome, nothing more has been read into a frame and sent.
		expect(got.map((m) => m.type)).toEqual(['welcome']);
		const snapshots = () => got.filter((m): m is Extract<ServerMessage, { type: 'snapshots' }> => m.type === 'snapshots');

		open();
		gate = new Promise<void>((resume) => (open = resume));
		await vi.waitFor(() => expect(waits).toBe(2), { timeout: 20_000 });
		expect(snapshots()).toHaveLength(1);

		gate = Promise.resolve();
		open();
		await handled;
		expect(snapshots().length).toBeGreaterThanOrEqual(2);
		expect(snapshots().at(-1)?.remaining).toBe(0);
		expect(snapshots().reduce((n, m) => n + m.docs.length, 0)).toBe(176);
		session.close();
	}, 60_000);

	it('answers a fetch that finds nothing with a refusal and a last, empty snapshots frame', async () => {
		const got: ServerMessage[] = [];
		const session = hub.connect((f) => void got.push((decodeServerMessage(f) as { ok: true; message: ServerMessage }).message));
		await session.receive(encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'tablet-two', digest: '00', empty: false }));
		const unknown = planDocId('00000000-0000-4000-8000-000000000009' as PatientId);
		await session.receive(encodeMessage({ type: 'fetch', docIds: [unknown] }));
		expect(got.slice(1).map((m) => m.type)).toEqual(['refused', 'snapshots']);
		expect(got.at(-1)).toEqual({ type: 'snapshots', docs: [], summaries: [], remaining: 0 });
		session.close();
	});
});
