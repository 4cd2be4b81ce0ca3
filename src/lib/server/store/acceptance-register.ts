/**
 * The part of the store acceptance suite about what the register reads need-to-know from and
 * what it records with every change: the care-team and national-ID indexes kept with the
 * summaries, and the provenance written in the commit's transaction. Run by `runStoreAcceptance`
 * for every store (its own file only to keep each under one sitting).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { logDocId, planDocId, type Month, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import type { StoreHarness } from './acceptance';
import type { AuditEntry, DocumentStore, DocWrite, ProvenanceRecord } from './types';

const patient = (): PatientId => randomUUID() as PatientId;
const hash = (n: number): string => n.toString(16).padStart(64, '0');

/** A summary with just what need-to-know reads: the care team, blocks, the national ID. */
export function accessSummary(patientId: PatientId, team: string[], extra: Partial<PatientSummary> = {}): PatientSummary {
	return { patientId, name: 'Pål Testesen', birthDate: '1950-03-01', municipality: 'Rana', responsible: null, measures: [], team, ...extra };
}

/** A provenance record of a change by the Rana nurse from her tablet. */
export function provenanceOf(patientId: PatientId, docId: ProvenanceRecord['docId'], at: string, changes: string[]): ProvenanceRecord {
	return {
		at,
		patientId,
		docId,
		who: { id: 'u1', name: 'Kari Testpleier', role: 'home-care', organisation: 'Hjemmetjenesten Testby', hpr: '9144889' },
		basis: 'care-team',
		session: 'sync-7',
		peerId: 'rana-tablet',
		changes
	};
}

export function runRegisterAcceptance(open: () => Promise<StoreHarness>): void {
	let h!: StoreHarness;
	let store!: DocumentStore;
	beforeEach(async () => ((h = await open()), (store = h.store)));
	afterEach(() => h.cleanup());
	const put = (patientId: PatientId, summary: PatientSummary, heads = ['h1']) => store.commit(planDocId(patientId), patientId, { add: [], remove: [], heads, summary });

	it('finds a clinician’s patients by the care-team index, less those who blocked them, kept with every summary and across a restart', async () => {
		const [p, q, r, s] = [patient(), patient(), patient(), patient()].sort();
		await put(p!, accessSummary(p!, ['u1', 'u2']));
		await put(q!, accessSummary(q!, ['u1'], { blocked: ['u1'] }));
		await put(r!, accessSummary(r!, ['u2']));
		await put(s!, accessSummary(s!, ['u1', 'u1']));
		expect(await store.patientsOf('u1')).toEqual([p, s]);
		expect(await store.patientsOf('u2')).toEqual([p, r]);
		// Leaving the team (a new summary) and a block lifted take effect with the summary's commit.
		await put(p!, accessSummary(p!, ['u2']), ['h2']);
		await put(q!, accessSummary(q!, ['u1']), ['h2']);
		// A log's commit without a summary leaves the index as it is.
		await store.commit(logDocId(r!, '2026-11' as Month), r!, { add: [], remove: [], heads: ['h1'] });
		await store.close();
		const again = await h.reopen();
		expect(await again.patientsOf('u1')).toEqual([q, s]);
		expect(await again.patientsOf('u2')).toEqual([p, r]);
		expect(await again.patientsOf("u1' OR '1'='1")).toEqual([]);
		await expect(again.patientsOf('')).rejects.toBeInstanceOf(TypeError);
	});

	it('keeps the index out of a refused commit, and refuses a summary whose care team is not a list of ids', async () => {
		const p = patient();
		await put(p, accessSummary(p, ['u1']));
		const write = (summary: PatientSummary, base: string[]): DocWrite => ({ add: [], remove: [], heads: ['h9'], base, summary });
		expect(await store.commit(planDocId(p), p, write(accessSummary(p, ['u2']), ['h0']))).toMatchObject({ ok: false, reason: 'stale' });
		await expect(put(p, accessSummary(p, [7 as unknown as string]))).rejects.toBeInstanceOf(TypeError);
		await expect(put(p, accessSummary(p, ['u2'], { blocked: 'u1' as unknown as string[] }))).rejects.toBeInstanceOf(TypeError);
		expect([await store.patientsOf('u1'), await store.patientsOf('u2')]).toEqual([[p], []]);
	});

	it('finds a patient by national ID from an index: none, one, and every plan of a register that stored two for one person', async () => {
		const [p, q, r] = [patient(), patient(), patient()].sort();
		await put(p!, accessSummary(p!, [], { nationalId: '03855100164' }));
		await put(q!, accessSummary(q!, [], { nationalId: '12345678911' }));
		expect((await store.patientsByNationalId('03855100164')).map((s) => s.patientId)).toEqual([p]);
		expect(await store.patientsByNationalId('99999999999')).toEqual([]);
		// Stored before a second plan for one person was refused: both are found, none is picked.
		await put(r!, accessSummary(r!, [], { nationalId: '03855100164' }));
		expect((await store.patientsByNationalId('03855100164')).map((s) => s.patientId)).toEqual([p, r]);
		// A plan whose national ID was corrected is found by the new one only.
		await put(p!, accessSummary(p!, [], { nationalId: '03855100245' }), ['h2']);
		expect((await store.patientsByNationalId('03855100164')).map((s) => s.patientId)).toEqual([r]);
		expect(await store.patientsByNationalId('03855100245')).toEqual([accessSummary(p!, [], { nationalId: '03855100245' })]);
		await expect(store.patientsByNationalId('')).rejects.toBeInstanceOf(TypeError);
	});

	it('records a change’s provenance in the commit’s transaction, reads a document’s newest first, and refuses a malformed one', async () => {
		const p = patient();
		const [plan, log] = [planDocId(p), logDocId(p, '2026-11' as Month)];
		const commit = (docId: typeof plan, n: number, extra: Partial<DocWrite> = {}) =>
			store.commit(docId, p, { add: [], remove: [], heads: [hash(n)], provenance: provenanceOf(p, docId, `2026-11-01T08:0${n}:00.000Z`, [hash(n)]), ...extra });
		await commit(plan, 1);
		await commit(log, 2);
		await commit(plan, 3);
		expect(await commit(plan, 4, { base: ['h0'] })).toMatchObject({ ok: false, reason: 'stale' });
		await expect(commit(plan, 5, { provenance: { ...provenanceOf(p, plan, '2026-11-01T08:05:00.000Z', []) } })).rejects.toBeInstanceOf(TypeError);
		await expect(commit(plan, 6, { provenance: provenanceOf(patient(), plan, '2026-11-01T08:06:00.000Z', [hash(6)]) })).rejects.toBeInstanceOf(TypeError);
		await expect(commit(plan, 7, { provenance: { ...provenanceOf(p, plan, '2026-11-01T08:07:00.000Z', [hash(7)]), basis: 'whim' as ProvenanceRecord['basis'] } })).rejects.toBeInstanceOf(TypeError);
		await store.close();
		const again = await h.reopen();
		expect(await again.provenance(plan)).toEqual([provenanceOf(p, plan, '2026-11-01T08:03:00.000Z', [hash(3)]), provenanceOf(p, plan, '2026-11-01T08:01:00.000Z', [hash(1)])]);
		expect((await again.provenance(log)).map((r) => r.changes)).toEqual([[hash(2)]]);
		expect(await again.provenance(plan, 1)).toHaveLength(1);
		await expect(again.provenance(plan, 0)).rejects.toBeInstanceOf(TypeError);
		await expect(h.tamper('UPDATE provenance SET at = at')).rejects.toThrow(/append-only/);
		await expect(h.tamper('DELETE FROM provenance')).rejects.toThrow(/append-only/);
	});

	it('stores nothing of a commit whose provenance cannot be written: no chunk, heads, summary, index row or access-log line', async () => {
		const p = patient();
		const doc = planDocId(p);
		const line: AuditEntry = { at: '2026-11-01T08:00:00.000Z', patientId: p, docId: doc, action: 'change', basis: 'care-team', who: { id: 'u1', name: 'Kari Testpleier', role: 'home-care', organisation: null }, reportedLater: false, detail: '' };
		const write: DocWrite = {
			add: [{ key: 'a', kind: 'snapshot', bytes: Uint8Array.of(1) }],
			remove: [],
			heads: [hash(1)],
			summary: accessSummary(p, ['u1'], { nationalId: '03855100164' }),
			audit: [line],
			provenance: provenanceOf(p, doc, '2026-11-01T08:00:00.000Z', [hash(1)])
		};
		// The table gone from under the store: the database refuses the provenance insert, last in the transaction.
		await h.tamper('ALTER TABLE provenance RENAME TO provenance_away');
		try {
			await expect(store.commit(doc, p, write)).rejects.toThrow();
		} finally {
			await h.tamper('ALTER TABLE provenance_away RENAME TO provenance');
		}
		expect([await store.chunks(doc), await store.manifest(), await store.summaries(), await store.audit(p)]).toEqual([[], [], [], []]);
		expect([await store.patientsOf('u1'), await store.patientsByNationalId('03855100164'), await store.provenance(doc)]).toEqual([[], [], []]);
		expect(await store.commit(doc, p, write)).toEqual({ ok: true });
		expect([(await store.audit(p)).length, (await store.provenance(doc)).length, await store.patientsOf('u1')]).toEqual([1, 1, [p]]);
	});
}
