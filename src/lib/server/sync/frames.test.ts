import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { MAX_DOCS_PER_MESSAGE } from '$lib/sync/protocol';
import { snapshotFrames } from './frames';

// Seen by helper R: a frame was bounded by bytes only, so a megabyte of small documents made a
// frame of more than MAX_DOCS_PER_MESSAGE, which the device refuses; a fresh device holding 1,622
// of 10,000 documents then said it was up to date.
it('never puts more documents in one snapshots frame than a device takes', async () => {
	const store = openSqliteStore(':memory:');
	const count = MAX_DOCS_PER_MESSAGE + 7;
	for (let i = 0; i < count; i++) {
		const patientId = randomUUID() as PatientId;
		await store.commit(planDocId(patientId), patientId, { add: [{ key: 'k', kind: 'snapshot', bytes: Uint8Array.of(i % 256) }], remove: [], heads: [`h${i}`] });
	}
	const frames = [];
	for await (const frame of snapshotFrames(store, await store.manifest(), 64 * 1024 * 1024)) frames.push(frame);
	expect(frames.map((f) => f.docs.length)).toEqual([MAX_DOCS_PER_MESSAGE, 7]);
	expect(frames.map((f) => f.remaining)).toEqual([7, 0]);
	await store.close();
});
