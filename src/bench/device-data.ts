// Builds what a device holding many patients has in IndexedDB, in Node, with the app's own
// domain code: plan snapshots, a plan with two years of edits, monthly logs, and summaries.
import * as A from '@automerge/automerge';
import { genesis } from '../lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type ItemId, type Month, type PatientId } from '../lib/domain/ids';
import { newMeasureLog, recordMeasure } from '../lib/domain/measure-log';
import type { MeasureLog, Plan } from '../lib/domain/plan';
import { summarize, type PatientSummary } from '../lib/domain/worklist';
import { clinicians, syntheticPatients, withEditHistory } from '../lib/fixtures';
import { refOf } from '../lib/fixtures/support';

export type StoredDoc = { docId: DocumentId; patientId: PatientId; kind: 'plan' | 'log'; bytes: string; heads: string[] };
export type DeviceData = { docs: StoredDoc[]; summaries: PatientSummary[]; longPlan: { patientId: PatientId; name: string; changes: number; bytes: number } };

const nurse = refOf(clinicians.ranaNurse);

function stored(docId: DocumentId, patientId: PatientId, kind: 'plan' | 'log', doc: A.Doc<unknown>): StoredDoc {
	return { docId, patientId, kind, bytes: Buffer.from(A.save(doc)).toString('base64'), heads: A.getHeads(doc) };
}

/** Visit records for every daily measure's times on days 1 to `lastDay` of the month. */
function monthLog(plan: Plan, month: Month, lastDay: number): A.Doc<MeasureLog> {
	let log = genesis(logDocId(plan.patientId, month), newMeasureLog(plan.patientId, month));
	const daily = Object.values(plan.measures).filter((m) => m.timing.kind === 'daily');
	let n = 0;
	for (let day = 1; day <= lastDay; day++) {
		log = A.change(log, (d) => {
			for (const m of daily) {
				for (const slot of m.timing.kind === 'daily' ? m.timing.times : []) {
					const at = `${month}-${String(day).padStart(2, '0')}T${slot}:00.000Z`;
					const id = `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` as ItemId;
					recordMeasure(d, id, { outcome: 'done', measureId: m.id, at, slot, note: '' }, { by: nurse, at });
				}
			}
		});
	}
	return log;
}

function months(until: string, count: number): Month[] {
	const [y, m] = until.split('-').map(Number) as [number, number];
	return Array.from({ length: count }, (_, i) => {
		const t = y * 12 + (m - 1) - i;
		return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}` as Month;
	});
}

/**
 * `count` patients, one of them (with a daily home visit) with a plan holding `edits` changes over two years and
 * visit logs for the 24 months up to yesterday (`today` is `YYYY-MM-DD`), leaving today's visits open.
 */
export function buildDeviceData(count: number, edits: number, today: string): DeviceData {
	const thisMonth = today.slice(0, 7);
	const day = Number(today.slice(8, 10));
	const docs: StoredDoc[] = [];
	const summaries: PatientSummary[] = [];
	let longPlan: DeviceData['longPlan'] | null = null;
	const patients = syntheticPatients(count, 7);
	// The long history goes to a patient with a daily home visit, so the benchmark can record one.
	const long = patients.findIndex((p) => Object.values(p.plan.measures).some((m) => m.timing.kind === 'daily' && m.performer.kind === 'service'));
	for (const [i, p] of patients.entries()) {
		let plan = genesis(planDocId(p.patientId), p.plan);
		const logs: A.Doc<MeasureLog>[] = [];
		if (i === long) {
			plan = withEditHistory(plan, edits, 3);
			const bytes = A.save(plan).length;
			longPlan = { patientId: p.patientId, name: p.patient.name, changes: A.getAllChanges(plan).length, bytes };
			for (const month of months(thisMonth, 24)) {
				const log = monthLog(plan, month, month === thisMonth ? day - 1 : 28);
				docs.push(stored(logDocId(p.patientId, month), p.patientId, 'log', log));
				if (logs.length < 2) logs.push(log);
			}
		}
		docs.push(stored(planDocId(p.patientId), p.patientId, 'plan', plan));
		summaries.push(summarize(plan, logs));
	}
	if (!longPlan) throw new Error('no patients');
	return { docs, summaries, longPlan };
}

/** The first `count` patients' documents and summaries, and the rest (the long plan is among the first). */
export function splitDeviceData(data: DeviceData, count: number): [DeviceData, DeviceData] {
	const first = new Set(data.summaries.slice(0, count).map((s) => s.patientId));
	const part = (inFirst: boolean): DeviceData => ({
		docs: data.docs.filter((d) => first.has(d.patientId) === inFirst),
		summaries: data.summaries.filter((s) => first.has(s.patientId) === inFirst),
		longPlan: data.longPlan
	});
	if (!first.has(data.longPlan.patientId)) throw new Error('the long plan is not among the first patients');
	return [part(true), part(false)];
}
