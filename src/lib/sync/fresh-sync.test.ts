import { describe, expect, it } from 'vitest';
import type { Doc } from '@automerge/automerge/slim';
import { planDocId, type PatientId } from '$lib/domain/ids';
import { ranaCaseload } from '$lib/fixtures';
import { decodeServerMessage, encodeMessage, headsHash, type ManifestEntry } from './protocol';
import { standInPair } from './stand-in-pair';
import type { SyncProgress } from './sync-state';

/** The stand-in register with the demo plans and `extra` generated ones, sending two documents a frame. */
function largerPair(extra: number) {
	const pair = standInPair();
	for (const d of ranaCaseload(extra)) pair.server.docs.set(d.docId, d.doc as Doc<unknown>);
	pair.server.snapshotsPerFrame = 2;
	return pair;
}

describe('a fresh device', () => {
	it('takes the welcome of a register listing more than 5,000 documents (a municipality on one tablet)', () => {
		const manifest = Array.from({ length: 10_001 }, (_, i): ManifestEntry => [planDocId(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}` as PatientId), headsHash([String(i).padStart(64, '0')])]);
		const decoded = decodeServerMessage(encodeMessage({ type: 'welcome', upToDate: false, manifest }));
		expect(decoded.ok && decoded.message.type === 'welcome' && decoded.message.manifest.length).toBe(10_001);
	});

	it('resumes an interrupted first sync where it stopped, and its progress goes on from what it holds', async () => {
		const { server, repo, client, step, drop, connect, open } = largerPair(14);
		const total = server.docs.size;
		await open();
		// The welcome and six frames of two arrive (12 of 20 documents: 60 %), then the network goes.
		await step(7);
		drop();
		const held = (await repo.manifest()).length;
		expect(held).toBe(12);

		const progress: (SyncProgress | null)[] = [];
		client.subscribe((s) => progress.push(s.progress));
		server.inbox.length = 0;
		await connect();

		// The device asks only for what it lacks, and counts on from what it had.
		const fetched = server.inbox.flatMap((m) => (m.type === 'fetch' ? m.docIds : []));
		expect(fetched).toHaveLength(total - held);
		expect(progress.find((p) => p !== null)).toEqual({ received: held, total });
		expect(progress.filter((p) => p !== null).every((p) => p!.received >= held && p!.total === total)).toBe(true);
		expect((await repo.manifest()).length).toBe(total);
		expect(client.state).toMatchObject({ phase: 'up-to-date', progress: null });
	});

});
