import * as Automerge from '@automerge/automerge';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logDocId, planDocId, type DocumentId, type ItemId, type Month, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { runRegisterAcceptance } from './acceptance-register';
import type { AuditEntry, AuditPage, DocumentStore, StoredChunk, StoredSession } from './types';

/** A store on fresh, empty storage; `reopen` opens another instance on the same data, `cleanup` closes all and deletes it. */
/** `tamper` runs raw SQL against the store's tables (bypassing the interface), as an attacker with database access might. */
export type StoreHarness = { store: DocumentStore; reopen: () => Promise<DocumentStore>; cleanup: () => Promise<void>; tamper: (sql: string) => Promise<void> };

type Plan = { title: string; measures: string[] };

const patient = (): PatientId => randomUUID() as PatientId;
const chunk = (key: string, bytes: Uint8Array, kind: StoredChunk['kind'] = 'incremental'): StoredChunk => ({ key, kind, bytes });
const byKey = (chunks: StoredChunk[]): StoredChunk[] => [...chunks].sort((a, b) => (a.key < b.key ? -1 : 1));
const summaryOf = (patientId: PatientId, name = 'Pål Testesen'): PatientSummary => ({
	patientId,
	name,
	birthDate: '1950-03-01',
	municipality: 'Rana',
	responsible: null,
	measures: [],
	records: { 'm1|08:00': { id: 'e1' as ItemId, at: '2025-01-02T08:00:00.000Z', outcome: 'done', reason: null } },
	team: []
});
const keysOf = async (store: DocumentStore, docId: DocumentId): Promise<string[]> => byKey(await store.chunks(docId)).map((c) => c.key);

/** The behaviour every DocumentStore implementation must show (after automerge-repo's runStorageAdapterTests). */
export function runStoreAcceptance(name: string, open: () => Promise<StoreHarness>): void {
	describe(`${name} document store`, () => {
		let h!: StoreHarness;
		let store!: DocumentStore;
		const p = patient();
		const doc = planDocId(p);
		beforeEach(async () => ((h = await open()), (store = h.store)));
		afterEach(() => h.cleanup());

		it('returns the committed bytes exactly, and [] for an unknown document', async () => {
			const all = Uint8Array.from({ length: 256 }, (_, i) => i);
			const big = new Uint8Array(randomBytes(1 << 20));
			const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
			await store.commit(doc, p, { add: [chunk('a', all, 'snapshot'), chunk('b', big), chunk('c', view)], remove: [], heads: ['h1'] });
			const [a, b, c, ...rest] = byKey(await store.chunks(doc));
			expect([a, c, rest]).toStrictEqual([chunk('a', all, 'snapshot'), chunk('c', Uint8Array.of(1, 2, 3)), []]);
			// A deep equality over a megabyte takes seconds; compare its bytes directly.
			expect([b?.key, b?.kind, b?.bytes.constructor, b && Buffer.compare(b.bytes, big)]).toEqual(['b', 'incremental', Uint8Array, 0]);
			expect(await store.chunks(planDocId(patient()))).toEqual([]);
		});

		it('keeps everything across a restart', async () => {
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(1, 2))], remove: [], heads: ['h1'], summary: summaryOf(p) });
			await store.saveSyncState('peer', doc, Uint8Array.of(7));
			await store.close();
			const again = await h.reopen();
			expect(await again.chunks(doc)).toStrictEqual([chunk('a', Uint8Array.of(1, 2))]);
			expect(await again.summaries()).toStrictEqual([summaryOf(p)]);
			expect(await again.manifest()).toStrictEqual([{ docId: doc, patientId: p, heads: ['h1'] }]);
			expect(await again.loadSyncState('peer', doc)).toStrictEqual(Uint8Array.of(7));
		});

		it('removes only the named keys of the named document', async () => {
			const other = logDocId(p, '2025-01' as Month);
			const add = ['a', 'b', 'c'].map((k) => chunk(k, Uint8Array.of(1)));
			await store.commit(doc, p, { add, remove: [], heads: ['h1'] });
			await store.commit(other, p, { add, remove: [], heads: ['h1'] });
			await store.commit(doc, p, { add: [chunk('s', Uint8Array.of(2), 'snapshot')], remove: ['a', 'b', 'unknown'], heads: ['h2'] });
			expect(await keysOf(store, doc)).toEqual(['c', 's']);
			expect(await keysOf(store, other)).toEqual(['a', 'b', 'c']);
		});

		it('records heads in the manifest, filtered by patient', async () => {
			const q = patient();
			const [d1, d2, d3] = [planDocId(p), logDocId(p, '2025-02' as Month), planDocId(q)];
			for (const d of [d1, d2]) await store.commit(d, p, { add: [], remove: [], heads: ['h1'] });
			await store.commit(d3, q, { add: [], remove: [], heads: [] });
			await store.commit(d1, p, { add: [], remove: [], heads: ['h2', 'h3'] });
			const byDoc = <T extends { docId: string }>(m: T[]): T[] => [...m].sort((a, b) => (a.docId < b.docId ? -1 : 1));
			expect(await store.manifest()).toStrictEqual(
				byDoc([{ docId: d1, patientId: p, heads: ['h2', 'h3'] }, { docId: d2, patientId: p, heads: ['h1'] }, { docId: d3, patientId: q, heads: [] }])
			);
			expect((await store.manifest([q])).map((d) => d.docId)).toEqual([d3]);
			expect((await store.manifest([p, patient()])).map((d) => d.docId)).toEqual(byDoc([{ docId: d1 }, { docId: d2 }]).map((d) => d.docId));
			expect(await store.manifest([])).toEqual([]);
		});

		it('refuses to move a document to another patient, writing nothing', async () => {
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(1))], remove: [], heads: ['h1'] });
			await expect(store.commit(doc, patient(), { add: [chunk('b', Uint8Array.of(2))], remove: ['a'], heads: ['h2'] })).rejects.toThrow(/another patient/);
			expect(await keysOf(store, doc)).toEqual(['a']);
			expect(await store.manifest()).toStrictEqual([{ docId: doc, patientId: p, heads: ['h1'] }]);
		});

		it('stores a summary with a commit, replaces it with a later one and keeps it through commits without one', async () => {
			const log = logDocId(p, '2025-04' as Month);
			await store.commit(doc, p, { add: [], remove: [], heads: ['h1'], summary: summaryOf(p) });
			await store.commit(log, p, { add: [], remove: [], heads: ['h1'] });
			expect(await store.summaries()).toStrictEqual([summaryOf(p)]);
			const renamed = { ...summaryOf(p, 'Pål Endret'), records: {}, responsible: 'Kari Testlege' };
			await store.commit(log, p, { add: [], remove: [], heads: ['h2'], summary: renamed });
			expect(await store.summaries([p])).toStrictEqual([renamed]);
		});

		it('keeps a view with its commit: replaced by a later one, kept through one without, removed by null, across a restart', async () => {
			const other = planDocId(patient());
			const v1 = { heads: ['h1'], bytes: Uint8Array.of(1, 2, 3) };
			await store.commit(doc, p, { add: [], remove: [], heads: ['h1'], view: v1 });
			expect(await store.views([doc, other])).toStrictEqual([{ docId: doc, ...v1 }]);
			await store.commit(doc, p, { add: [], remove: [], heads: ['h2', 'h3'], view: { heads: ['h2', 'h3'], bytes: Uint8Array.of(4) } });
			await store.commit(doc, p, { add: [], remove: [], heads: ['h4'] });
			await store.close();
			store = await h.reopen();
			expect(await store.views([doc])).toStrictEqual([{ docId: doc, heads: ['h2', 'h3'], bytes: Uint8Array.of(4) }]);
			await store.commit(doc, p, { add: [], remove: [], heads: ['h5'], view: null });
			expect(await store.views([doc])).toEqual([]);
			expect(await store.views([])).toEqual([]);
			// Refused (stale) or malformed, a commit writes no view.
			expect(await store.commit(doc, p, { add: [], remove: [], heads: ['h6'], base: ['h1'], view: { heads: ['h6'], bytes: Uint8Array.of(6) } })).toMatchObject({ ok: false });
			await expect(store.commit(doc, p, { add: [], remove: [], heads: ['h6'], view: { heads: ['h6'], bytes: 'x' as unknown as Uint8Array } })).rejects.toThrow(TypeError);
			expect(await store.views([doc])).toEqual([]);
		});

		it('lists summaries ordered by patient, filtered by patient', async () => {
			const [q, r] = [patient(), patient()];
			for (const x of [p, q, r]) await store.commit(planDocId(x), x, { add: [], remove: [], heads: ['h'], summary: summaryOf(x, `N ${x}`) });
			const sorted = [p, q, r].sort();
			expect((await store.summaries()).map((s) => s.patientId)).toEqual(sorted);
			expect(await store.summaries([q, patient()])).toStrictEqual([summaryOf(q, `N ${q}`)]);
			expect(await store.summaries([])).toEqual([]);
		});

		it('writes a summary in the commit\'s transaction: visible to subscribers, absent when the commit is refused', async () => {
			const seen: Promise<PatientSummary[]>[] = [];
			store.subscribe(() => seen.push(store.summaries([p])));
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(1))], remove: [], heads: ['h1'], summary: summaryOf(p) });
			await vi.waitFor(() => expect(seen).toHaveLength(1), { timeout: 2000 });
			expect(await seen[0]).toStrictEqual([summaryOf(p)]);
			const q = patient();
			await expect(store.commit(doc, q, { add: [], remove: [], heads: ['h2'], summary: summaryOf(q) })).rejects.toThrow(/another patient/);
			await expect(store.commit(doc, p, { add: [], remove: [], heads: ['h2'], summary: summaryOf(q) })).rejects.toBeInstanceOf(TypeError);
			const notObject = { add: [], remove: [], heads: ['h2'], summary: 'Pål' as unknown as PatientSummary };
			await expect(store.commit(doc, p, notObject)).rejects.toBeInstanceOf(TypeError);
			expect(await store.summaries()).toStrictEqual([summaryOf(p)]);
			expect(await store.manifest()).toStrictEqual([{ docId: doc, patientId: p, heads: ['h1'] }]);
		});

		it('commits a write with a base only while the stored heads equal it, in any order, writing nothing otherwise', async () => {
			const heard: DocumentId[] = [];
			store.subscribe((id) => heard.push(id));
			const w = (key: string, heads: string[], base: string[]) => ({ add: [chunk(key, Uint8Array.of(1))], remove: [], heads, base, summary: summaryOf(p, key) });
			expect(await store.commit(doc, p, w('a', ['h1', 'h2'], []))).toEqual({ ok: true });
			expect(await store.commit(doc, p, w('b', ['h3'], []))).toEqual({ ok: false, reason: 'stale', heads: ['h1', 'h2'] });
			expect(await store.commit(doc, p, w('c', ['h3'], ['h0']))).toEqual({ ok: false, reason: 'stale', heads: ['h1', 'h2'] });
			expect(await store.commit(doc, p, w('d', ['h4'], ['h2', 'h1']))).toEqual({ ok: true });
			expect(await keysOf(store, doc)).toEqual(['a', 'd']);
			expect((await store.summaries())[0]?.name).toBe('d');
			await vi.waitFor(() => expect(heard).toEqual([doc, doc]), { timeout: 2000 });
		});

		it('lets exactly one of two concurrent creators of a document with base [] commit', async () => {
			const fresh = logDocId(p, '2025-05' as Month);
			const results = await Promise.all(['x', 'y'].map((k) => store.commit(fresh, p, { add: [chunk(k, Uint8Array.of(1))], remove: [], heads: [`h${k}`], base: [] })));
			expect(results.filter((r) => r.ok)).toHaveLength(1);
			const winner = results[0]?.ok ? 'x' : 'y';
			expect(results.find((r) => !r.ok)).toEqual({ ok: false, reason: 'stale', heads: [`h${winner}`] });
			expect(await keysOf(store, fresh)).toEqual([winner]);
		});

		it('keeps one sync state per peer and document', async () => {
			const other = logDocId(p, '2025-03' as Month);
			await store.saveSyncState('peer-1', doc, Uint8Array.of(1));
			await store.saveSyncState('peer-2', doc, Uint8Array.of(2));
			await store.saveSyncState('peer-1', other, Uint8Array.of(3));
			await store.saveSyncState('peer-1', doc, Uint8Array.of(4, 4));
			expect(await store.loadSyncState('peer-1', doc)).toStrictEqual(Uint8Array.of(4, 4));
			expect(await store.loadSyncState('peer-2', doc)).toStrictEqual(Uint8Array.of(2));
			expect(await store.loadSyncState('peer-1', other)).toStrictEqual(Uint8Array.of(3));
			expect(await store.loadSyncState('peer-3', doc)).toBeNull();
			await expect(store.saveSyncState('peer-1', doc, [5] as unknown as Uint8Array)).rejects.toBeInstanceOf(TypeError);
			expect(await store.loadSyncState('peer-1', doc)).toStrictEqual(Uint8Array.of(4, 4));
		});

		it('treats committing the same chunk key twice as one chunk, keeping the first', async () => {
			const write = { add: [chunk('a', Uint8Array.of(1, 2, 3)), chunk('a', Uint8Array.of(1, 2, 3))], remove: [], heads: ['h1'] };
			await store.commit(doc, p, write);
			await store.commit(doc, p, write);
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(9))], remove: [], heads: ['h1'] });
			expect(await store.chunks(doc)).toStrictEqual([chunk('a', Uint8Array.of(1, 2, 3))]);
		});

		it('stores an Automerge document as snapshot and increment that load back equal', async () => {
			const first = Automerge.from<Plan>({ title: 'Pål', measures: ['Øyedråper'] });
			const second = Automerge.change(Automerge.clone(first), (d) => void d.measures.push('Gåtur'));
			const add = [chunk('s', Automerge.save(first), 'snapshot'), chunk('i', Automerge.saveSince(second, Automerge.getHeads(first)))];
			await store.commit(doc, p, { add, remove: [], heads: Automerge.getHeads(second) });
			await store.close();
			const again = await h.reopen();
			const chunks = (await again.chunks(doc)).sort((a, b) => Number(a.kind === 'incremental') - Number(b.kind === 'incremental'));
			const loaded = chunks.reduce((d, c) => Automerge.loadIncremental(d, c.bytes), Automerge.init<Plan>());
			expect(Automerge.toJS(loaded)).toEqual({ title: 'Pål', measures: ['Øyedråper', 'Gåtur'] });
			expect(Automerge.getHeads(loaded)).toEqual(Automerge.getHeads(second));
			expect((await again.manifest())[0]?.heads).toEqual(Automerge.getHeads(second));
		});

		it('tells subscribers of a commit once it is visible, and stops after unsubscribe', async () => {
			const [a, b] = [planDocId(patient()), planDocId(patient())];
			const seen: DocumentId[] = [];
			const visible: Promise<number>[] = [];
			const still: DocumentId[] = [];
			const stop = store.subscribe((id) => (seen.push(id), visible.push(store.chunks(id).then((c) => c.length))));
			store.subscribe((id) => still.push(id));
			await store.commit(a, p, { add: [chunk('a', Uint8Array.of(1))], remove: [], heads: ['h1'] });
			await vi.waitFor(() => expect(seen).toEqual([a]), { timeout: 2000 });
			expect(await Promise.all(visible)).toEqual([1]);
			stop();
			await store.commit(b, p, { add: [], remove: [], heads: ['h1'] });
			await vi.waitFor(() => expect(still).toEqual([a, b]), { timeout: 2000 });
			expect(seen).toEqual([a]);
		});

		it('loses nothing when 50 commits to different documents and 50 to one run at once', async () => {
			const others = Array.from({ length: 50 }, () => patient());
			await Promise.all([
				...others.map((q) => store.commit(planDocId(q), q, { add: [chunk('s', Uint8Array.of(1), 'snapshot')], remove: [], heads: ['h'] })),
				...Array.from({ length: 50 }, (_, i) => store.commit(doc, p, { add: [chunk(`i${i}`, Uint8Array.of(i))], remove: [], heads: [`h${i}`] }))
			]);
			expect(await store.manifest()).toHaveLength(51);
			for (const q of others) expect(await store.chunks(planDocId(q))).toHaveLength(1);
			const chunks = await store.chunks(doc);
			expect(new Set(chunks.map((c) => `${c.key}:${c.bytes[0]}`))).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `i${i}:${i}`)));
		});

		const bad: [string, unknown][] = [
			['a key that is not a string', { key: 42, kind: 'snapshot', bytes: Uint8Array.of(1) }],
			['bytes that are not a Uint8Array', { key: 'k', kind: 'snapshot', bytes: [1, 2] }],
			['an unknown chunk kind', { key: 'k', kind: 'delta', bytes: Uint8Array.of(1) }],
			['a chunk that is not an object', 'chunk']
		];
		it.each(bad)('refuses %s with a TypeError before writing anything', async (_, bad) => {
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(1))], remove: [], heads: ['h1'] });
			const write = { add: [chunk('b', Uint8Array.of(2)), bad as StoredChunk], remove: ['a'], heads: ['h2'] };
			await expect(store.commit(doc, p, write)).rejects.toBeInstanceOf(TypeError);
			await expect(store.commit(doc, p, { ...write, add: [], heads: [1] as unknown as string[] })).rejects.toBeInstanceOf(TypeError);
			expect(await store.chunks(doc)).toStrictEqual([chunk('a', Uint8Array.of(1))]);
			expect(await store.manifest()).toStrictEqual([{ docId: doc, patientId: p, heads: ['h1'] }]);
		});

		const line = (patientId: PatientId, at: string, action: AuditEntry['action'] = 'read'): AuditEntry => ({
			at,
			patientId,
			docId: planDocId(patientId),
			action,
			basis: 'care-team',
			who: { id: 'u1', name: 'Kari Testpleier', role: 'home-care', organisation: 'Hjemmetjenesten Testby' },
			reportedLater: false,
			detail: ''
		});

		it('keeps the access log across a restart, newest first, each patient only their own lines', async () => {
			const other = patient();
			await store.appendAudit([line(p, '2026-11-01T08:00:00.000Z'), line(other, '2026-11-01T09:00:00.000Z')]);
			await store.appendAudit([line(p, '2026-11-02T08:00:00.000Z', 'change'), { ...line(p, '2026-10-30T07:00:00.000Z'), reportedLater: true }]);
			await store.close();
			const again = await h.reopen();
			expect((await again.audit(p)).map((e) => [e.at, e.action, e.reportedLater])).toEqual([
				['2026-11-02T08:00:00.000Z', 'change', false],
				['2026-11-01T08:00:00.000Z', 'read', false],
				['2026-10-30T07:00:00.000Z', 'read', true]
			]);
			expect(await again.audit(other)).toEqual([line(other, '2026-11-01T09:00:00.000Z')]);
			expect(await again.audit(p, 1)).toHaveLength(1);
		});

		it('pages through the whole access log, newest first, and finds the rare lines among a flood of reads', async () => {
			const minute = (n: number) => new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + n * 60_000).toISOString();
			const grant: AuditEntry = { ...line(p, minute(3), 'emergency-access'), basis: 'emergency', detail: 'Bevisstløs ved ankomst', until: minute(123) };
			// One emergency access, then 600 reads reported by one tablet (two at the same minute each).
			await store.appendAudit([line(p, minute(1)), grant]);
			await store.appendAudit(Array.from({ length: 600 }, (_, i) => line(p, minute(10 + Math.floor(i / 2)))));
			await store.appendAudit([line(patient(), minute(5))]);
			const seen: AuditEntry[] = [];
			let before: string | null = null;
			for (let pages = 0; pages < 20; pages++) {
				const page: AuditPage = await store.auditPage(p, { limit: 250, before });
				seen.push(...page.entries);
				before = page.next;
				if (!before) break;
			}
			expect(seen).toHaveLength(602);
			expect(seen.map((e) => e.at)).toEqual([...seen.map((e) => e.at)].sort().reverse());
			expect(seen.slice(-2)).toEqual([grant, line(p, minute(1))]);
			const rare = await store.auditPage(p, { limit: 100, actions: ['emergency-access', 'emergency-denied'] });
			expect(rare).toEqual({ entries: [grant], next: null });
			await expect(store.auditPage(p, { limit: 10, before: "x' OR 1=1 --" })).rejects.toBeInstanceOf(TypeError);
			await expect(store.auditPage(p, { limit: 0 })).rejects.toBeInstanceOf(TypeError);
			await expect(store.auditPage(p, { limit: 10, actions: ['curiosity' as AuditEntry['action']] })).rejects.toBeInstanceOf(TypeError);
		});

		it('writes a change\'s access-log line in the commit\'s own transaction: with the change, or not at all', async () => {
			const changed = (at: string): AuditEntry => ({ ...line(p, at, 'change'), docId: doc });
			await store.commit(doc, p, { add: [chunk('a', Uint8Array.of(1))], remove: [], heads: ['h1'], audit: [changed('2026-11-01T08:00:00.000Z')] });
			// A stale commit stores neither its chunks nor its line.
			expect(await store.commit(doc, p, { add: [chunk('b', Uint8Array.of(2))], remove: [], heads: ['h2'], base: ['h0'], audit: [changed('2026-11-01T08:05:00.000Z')] })).toMatchObject({ ok: false });
			// A malformed line refuses the whole commit before anything is written.
			await expect(store.commit(doc, p, { add: [chunk('c', Uint8Array.of(3))], remove: [], heads: ['h3'], audit: [{ ...changed('2026-11-01T08:10:00.000Z'), basis: 'whim' as AuditEntry['basis'] }] })).rejects.toBeInstanceOf(TypeError);
			// A line about another patient's document is refused too.
			await expect(store.commit(doc, p, { add: [chunk('d', Uint8Array.of(4))], remove: [], heads: ['h4'], audit: [line(patient(), '2026-11-01T08:15:00.000Z', 'change')] })).rejects.toBeInstanceOf(TypeError);
			expect(await store.audit(p)).toEqual([changed('2026-11-01T08:00:00.000Z')]);
			expect(await keysOf(store, doc)).toEqual(['a']);
		});

		it('keeps logins across a restart, ends one at logout for good, and refuses malformed ones', async () => {
			const key = (n: number) => n.toString(16).padStart(64, '0');
			const login = (n: number): StoredSession => ({
				key: key(n),
				userId: 'u1',
				claims: { sub: 'u1', name: 'Kari Testpleier', role: 'home-care' },
				createdAt: '2026-11-01T06:00:00.000Z',
				expiresAt: '2026-11-01T22:00:00.000Z',
				endedAt: null
			});
			await store.createSession(login(1));
			await store.createSession(login(2));
			await expect(store.createSession(login(1))).rejects.toThrow();
			await store.endSession(key(1), '2026-11-01T12:00:00.000Z');
			await store.endSession(key(1), '2026-11-01T13:00:00.000Z');
			await store.close();
			const again = await h.reopen();
			expect(await again.session(key(1))).toEqual({ ...login(1), endedAt: '2026-11-01T12:00:00.000Z' });
			expect(await again.session(key(2))).toEqual(login(2));
			expect(await again.session(key(3))).toBeNull();
			await expect(again.session("' OR 1=1 --")).rejects.toBeInstanceOf(TypeError);
			await expect(again.createSession({ ...login(4), expiresAt: 'never' })).rejects.toBeInstanceOf(TypeError);
			await expect(again.createSession({ ...login(4), key: 'short' })).rejects.toBeInstanceOf(TypeError);
		});

		it('finds the emergency access a user holds until it ends, and refuses a grant without an end', async () => {
			const other = patient();
			const grant = (patientId: PatientId, userId: string, until: string): AuditEntry => ({
				...line(patientId, '2026-11-01T08:00:00.000Z', 'emergency-access'),
				basis: 'emergency',
				who: { id: userId, name: 'Kari Testpleier', role: 'home-care', organisation: null },
				detail: 'Bevisstløs ved ankomst',
				until
			});
			await store.appendAudit([grant(p, 'u1', '2026-11-01T10:00:00.000Z'), grant(other, 'u1', '2026-11-01T12:00:00.000Z'), grant(p, 'u2', '2026-11-01T12:00:00.000Z')]);
			await store.appendAudit([line(p, '2026-11-01T09:00:00.000Z')]);
			const running = async (at: string) => (await store.emergencyGrants('u1', at)).map((g) => g.patientId);
			expect(await running('2026-11-01T09:00:00.000Z')).toEqual([p, other]);
			expect(await running('2026-11-01T11:00:00.000Z')).toEqual([other]);
			expect(await running('2026-11-01T12:00:00.000Z')).toEqual([]);
			expect(await store.emergencyGrants('u3', '2026-11-01T09:00:00.000Z')).toEqual([]);
			const { until: _, ...endless } = grant(p, 'u1', '');
			await expect(store.appendAudit([endless])).rejects.toBeInstanceOf(TypeError);
			await expect(store.emergencyGrants('u1', 'soon')).rejects.toBeInstanceOf(TypeError);
		});

		it('refuses a malformed access log line, and refuses to change or delete lines even with raw SQL', async () => {
			await store.appendAudit([line(p, '2026-11-01T08:00:00.000Z')]);
			await expect(store.appendAudit([{ ...line(p, 'not a time') }])).rejects.toBeInstanceOf(TypeError);
			await expect(store.appendAudit([{ ...line(p, '2026-11-01T08:00:00.000Z'), basis: 'curiosity' as AuditEntry['basis'] }])).rejects.toBeInstanceOf(TypeError);
			await expect(h.tamper('UPDATE audit SET at = at')).rejects.toThrow(/append-only/);
			await expect(h.tamper('DELETE FROM audit')).rejects.toThrow(/append-only/);
			expect(await store.audit(p)).toEqual([line(p, '2026-11-01T08:00:00.000Z')]);
		});
	});
	describe(`${name} document store: need-to-know indexes and provenance`, () => runRegisterAcceptance(open));
}
