import { describe, expect, it } from 'vitest';
import { logDocId, parseDocumentId, planDocId, type DocumentRef, type ItemId, type Month } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, pal } from '$lib/fixtures';
import { nextSummary } from './summary';

const nurse = clinicians.ranaNurse;
const ctx = { by: { id: nurse.id, name: nurse.name, role: nurse.role, organisation: nurse.organisation }, at: '2025-02-03T09:00:00.000Z' };
const plan = structuredClone(pal.plan) as Plan;
const [m1, m2] = Object.keys(plan.measures) as ItemId[];
const ref = (id: string): DocumentRef => parseDocumentId(id) as DocumentRef;

function logWith(month: string, records: [ItemId | undefined, string, string | null][]): MeasureLog {
	const log = newMeasureLog(pal.patientId, month as Month);
	records.forEach(([measureId, at, slot], i) =>
		recordMeasure(log, `00000000-0000-4000-8000-00000000000${i}` as ItemId, { outcome: 'done', measureId: measureId as ItemId, at, slot, note: '' }, ctx)
	);
	return log;
}

describe('nextSummary', () => {
	const jan = logWith('2025-01', [[m1, '2025-01-30T08:00:00.000Z', '08:00'], [m2, '2025-01-31T12:00:00.000Z', null]]);
	const feb = logWith('2025-02', [[m1, '2025-02-02T08:10:00.000Z', '08:00'], [m1, '2025-02-01T20:00:00.000Z', '20:00']]);

	it('summarizes a new patient\'s plan with the logs it is given, as summarize does', async () => {
		const next = await nextSummary(ref(planDocId(pal.patientId)), plan, undefined, async () => [jan, feb]);
		expect(next).toEqual(summarize(plan, [jan, feb]));
	});

	it('merges a changed log into the stored summary, and keeps the records when the plan changes', async () => {
		const stored = summarize(plan, [jan]);
		const afterLog = await nextSummary(ref(logDocId(pal.patientId, '2025-02' as Month)), feb, stored, async () => []);
		expect(afterLog).toEqual(summarize(plan, [jan, feb]));
		const renamed = { ...plan, patient: { ...plan.patient, municipality: 'Bodø' } };
		const afterPlan = await nextSummary(ref(planDocId(pal.patientId)), renamed, afterLog, async () => []);
		expect(afterPlan).toEqual(summarize(renamed, [jan, feb]));
	});

	it('makes no summary from a log without a stored one, nor from something that is not a plan of this patient', async () => {
		const log = ref(logDocId(pal.patientId, '2025-02' as Month));
		expect(await nextSummary(log, feb, undefined, async () => [])).toBeUndefined();
		expect(await nextSummary(ref(planDocId(pal.patientId)), { title: 'x' }, undefined, async () => [])).toBeUndefined();
		const broken = { ...plan, measures: { x: { title: 'no status' } } };
		expect(await nextSummary(ref(planDocId(pal.patientId)), broken, undefined, async () => [])).toBeUndefined();
	});
});

describe('nextSummary with outcomes', () => {
	const notDone = (): MeasureLog => {
		const log = newMeasureLog(pal.patientId, '2025-02' as Month);
		recordMeasure(log, '00000000-0000-4000-8000-000000000009' as ItemId, { outcome: 'not-done', measureId: m1 as ItemId, at: '2025-02-03T07:40:00.000Z', slot: '08:00', note: '', reason: 'Pasienten var ikke hjemme' }, ctx);
		return log;
	};

	it('keeps what a not-done record says, not only its time', async () => {
		const stored = summarize(plan, []);
		const next = await nextSummary(ref(logDocId(pal.patientId, '2025-02' as Month)), notDone(), stored, async () => []);
		expect(next?.records?.[`${m1}|08:00`]).toMatchObject({ outcome: 'not-done', reason: 'Pasienten var ikke hjemme' });
	});

	it('rebuilds the records from all logs when the stored summary predates them', async () => {
		const { records: _records, ...old } = summarize(plan, []);
		const jan = logWith('2025-01', [[m2, '2025-01-31T12:00:00.000Z', null]]);
		const next = await nextSummary(ref(logDocId(pal.patientId, '2025-02' as Month)), notDone(), old, async () => [jan]);
		expect(next).toEqual(summarize(plan, [jan, notDone()]));
		const afterPlan = await nextSummary(ref(planDocId(pal.patientId)), plan, old, async () => [jan, notDone()]);
		expect(afterPlan).toEqual(summarize(plan, [jan, notDone()]));
	});
});
