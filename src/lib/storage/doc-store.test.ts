import * as A from '@automerge/automerge/slim';
import { describe, expect, it } from 'vitest';
import { addPlanComment } from '$lib/domain/plan-ops';
import type { ItemId } from '$lib/domain/ids';
import type { Context, Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, createPlanDocument, pal, solveig } from '$lib/fixtures';
import { chunksOf, DbepDb } from './db';
import { DocStore } from './doc-store';

/** The Rana home-care nurse acting at `at`. */
function nurseAt(at: string): Context {
	const { id, name, role, organisation } = clinicians.ranaNurse;
	return { by: { id, name, role, organisation }, at };
}

const T1 = '2026-10-05T08:00:00.000Z';
const T2 = '2026-10-06T08:00:00.000Z';
const nurse = nurseAt(T1);
const { docId, patientId } = createPlanDocument(pal);

/** A fresh copy of Pål's plan document: each test changes its own. */
function palPlan(): A.Doc<Plan> {
	return createPlanDocument(pal).doc;
}

function open(name = `dbep-test-${crypto.randomUUID()}`): { name: string; db: DbepDb; store: DocStore } {
	const db = new DbepDb(name);
	return { name, db, store: new DocStore(db) };
}

function comment(doc: A.Doc<Plan>, text: string): A.Doc<Plan> {
	return A.change(doc, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, text, nurse));
}

/** Stores `doc` as Pål's plan, as changed since `since` (null: a new document). */
async function put(store: DocStore, doc: A.Doc<Plan>, since: A.Heads | null, opts = { unsynced: false, at: T1 }): Promise<void> {
	await store.commit([{ docId, patientId, kind: 'plan', doc, since }], { summaries: [], ...opts });
}

async function chunks(db: DbepDb) {
	return chunksOf(db, docId).toArray();
}

async function reload(name: string): Promise<A.Doc<Plan>> {
	const loaded = await new DocStore(new DbepDb(name)).load<Plan>(docId);
	if (!loaded.ok) throw new Error(`reload failed: ${loaded.reason}`);
	return loaded.doc;
}

function expectSame(actual: A.Doc<Plan>, expected: A.Doc<Plan>): void {
	expect(A.toJS(actual)).toEqual(A.toJS(expected));
	expect([...A.getHeads(actual)].sort()).toEqual([...A.getHeads(expected)].sort());
}

/** Adds comments one at a time until the store replaces its chunks with one new snapshot. */
async function changeUntilCompacted(db: DbepDb, store: DocStore, start: A.Doc<Plan>, label: string) {
	const firstSnapshot = (await chunks(db)).find((c) => c.kind === 'snapshot')?.key;
	let doc = start;
	let sawIncrementals = false;
	for (let i = 0; i < 300; i++) {
		const since = A.getHeads(doc);
		doc = comment(doc, `${label} ${i}: øyedråper gitt, ingen merknader`);
		await put(store, doc, since);
		const rows = await chunks(db);
		if (rows.some((c) => c.kind === 'incremental')) sawIncrementals = true;
		if (!rows.some((c) => c.key === firstSnapshot)) return { doc, changes: i + 1, sawIncrementals };
	}
	throw new Error('never compacted');
}

describe('DocStore', () => {
	it('stores a new document as one snapshot chunk', async () => {
		const base = palPlan();
		const { db, store } = open();
		await put(store, base, null);
		const rows = await chunks(db);
		expect(rows.map((r) => r.kind)).toEqual(['snapshot']);
		const row = await db.docs.get(docId);
		expect(row).toMatchObject({ patientId, kind: 'plan', incrementalBytes: 0, snapshotBytes: rows[0]?.bytes.length });
		expect(row?.heads).toEqual(A.getHeads(base));
	});

	it('stores a following change as a small incremental chunk', async () => {
		const base = palPlan();
		const { db, store } = open();
		await put(store, base, null);
		await put(store, comment(base, 'Pål var i godt humør'), A.getHeads(base));
		const rows = await chunks(db);
		const snapshot = rows.find((r) => r.kind === 'snapshot');
		const increments = rows.filter((r) => r.kind === 'incremental');
		expect(rows).toHaveLength(2);
		expect(increments).toHaveLength(1);
		expect(snapshot).toBeDefined();
		expect((increments[0]?.bytes.length ?? Infinity) * 5).toBeLessThan(snapshot?.bytes.length ?? 0);
	});

	it('restores exactly the stored document after a reload', async () => {
		const base = palPlan();
		const { name, store } = open();
		await put(store, base, null);
		const changed = comment(comment(base, 'Første'), 'Andre');
		await put(store, changed, A.getHeads(base));
		expectSame(await reload(name), changed);
	});

	it('compacts into one snapshot when the increments outgrow it, and still restores exactly', async () => {
		const base = palPlan();
		const { name, db, store } = open();
		await put(store, base, null);
		const { doc, changes, sawIncrementals } = await changeUntilCompacted(db, store, base, 'Besøk');
		expect(sawIncrementals).toBe(true);
		expect(changes).toBeGreaterThan(2);
		const rows = await chunks(db);
		expect(rows.map((r) => r.kind)).toEqual(['snapshot']);
		expect(await db.docs.get(docId)).toMatchObject({ incrementalBytes: 0, snapshotBytes: rows[0]?.bytes.length });
		expectSame(await reload(name), doc);
	});

	it('never deletes a chunk written by another instance it has not seen', async () => {
		const base = palPlan();
		const a = open();
		await put(a.store, base, null);
		const b = open(a.name);
		const loadedByB = await b.store.load<Plan>(docId);
		if (!loadedByB.ok) throw new Error(loadedByB.reason);
		const fromB = comment(loadedByB.doc, 'Skrevet i den andre fanen');
		await put(b.store, fromB, A.getHeads(loadedByB.doc));
		const bKey = (await chunks(a.db)).find((c) => c.kind === 'incremental')?.key;

		const { doc: fromA } = await changeUntilCompacted(a.db, a.store, base, 'Fane A');
		const rows = await chunks(a.db);
		expect(rows.map((r) => r.key)).toContain(bKey);
		const restored = await reload(a.name);
		const texts = Object.values(restored.comments).map((c) => c.text);
		expect(texts).toContain('Skrevet i den andre fanen');
		expect(texts).toEqual(expect.arrayContaining(Object.values(fromA.comments).map((c) => c.text)));
		expect(A.toJS(restored)).toEqual(A.toJS(A.merge(A.clone(fromA), fromB)));
	});

	it('writes the summaries in the same transaction as the chunks', async () => {
		const base = palPlan();
		const { db, store } = open();
		const summary = summarize(base, []);
		await store.commit([{ docId, patientId, kind: 'plan', doc: base, since: null }], { summaries: [summary], unsynced: false, at: T1 });
		expect(await db.summaries.get(patientId)).toEqual(summary);

		// A failing summary write (e.g. quota exceeded) must take the chunks and the unsynced mark with it.
		const other = createPlanDocument(solveig);
		const quotaExceeded = (): never => {
			throw new Error('quota exceeded');
		};
		db.summaries.hook('creating', quotaExceeded);
		const write = { docId: other.docId, patientId: other.patientId, kind: 'plan' as const, doc: other.doc, since: null };
		const failed = store.commit([write], { summaries: [summarize(other.doc, [])], unsynced: true, at: T2 });
		await expect(failed).rejects.toThrow('quota exceeded');
		db.summaries.hook('creating').unsubscribe(quotaExceeded);
		expect(await chunksOf(db, other.docId).count()).toBe(0);
		expect(await db.docs.get(other.docId)).toBeUndefined();
		expect(await db.summaries.get(other.patientId)).toBeUndefined();
		expect(await db.unsynced.count()).toBe(0);
	});

	it('marks a document unsynced on commit, keeps the first time and counts the changes', async () => {
		const base = palPlan();
		const { db, store } = open();
		await put(store, base, null);
		expect(await db.unsynced.get(docId)).toBeUndefined();
		const first = comment(base, 'Første');
		await put(store, first, A.getHeads(base), { unsynced: true, at: T1 });
		await put(store, comment(first, 'Andre'), A.getHeads(first), { unsynced: true, at: T2 });
		// `base`: the heads the first unsent change was made on, the register's version.
		expect(await db.unsynced.get(docId)).toEqual({ docId, patientId, since: T1, changes: 2, base: A.getHeads(base) });
	});

	it('reports a corrupted chunk as document-corrupt without throwing', async () => {
		const base = palPlan();
		const { db, store } = open();
		await put(store, base, null);
		const [row] = await chunks(db);
		if (!row) throw new Error('no chunk');
		const bytes = row.bytes.slice();
		for (let i = 20; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0xff;
		await db.chunks.update(row.key, { bytes });
		await expect(new DocStore(db).load(docId)).resolves.toEqual({ ok: false, reason: 'document-corrupt' });
	});

	it('reports incrementals without their snapshot as document-incomplete', async () => {
		const base = palPlan();
		const { db, store } = open();
		await put(store, base, null);
		await put(store, comment(base, 'Etter øyebesøket'), A.getHeads(base));
		const snapshot = (await chunks(db)).find((r) => r.kind === 'snapshot');
		await db.chunks.delete(snapshot?.key ?? '');
		expect((await chunks(db)).map((r) => r.kind)).toEqual(['incremental']);
		await expect(new DocStore(db).load(docId)).resolves.toEqual({ ok: false, reason: 'document-incomplete' });
	});

	it('reports a document without chunks as document-missing', async () => {
		const { store } = open();
		await expect(store.load(docId)).resolves.toEqual({ ok: false, reason: 'document-missing' });
	});

	it('loads other documents when one is corrupt', async () => {
		const base = palPlan();
		const { db, store } = open();
		const other = createPlanDocument(solveig);
		await store.commit(
			[{ docId, patientId, doc: base }, other].map((d) => ({ ...d, kind: 'plan' as const, since: null })),
			{ summaries: [], unsynced: false, at: T1 }
		);
		for (const row of await chunks(db)) await db.chunks.update(row.key, { bytes: row.bytes.slice(0, row.bytes.length >> 1) });
		const fresh = new DocStore(db);
		expect(await fresh.load(docId)).toEqual({ ok: false, reason: 'document-corrupt' });
		const loaded = await fresh.load<Plan>(other.docId);
		expect(loaded.ok).toBe(true);
		if (loaded.ok) expectSame(loaded.doc, other.doc);
	});
});
