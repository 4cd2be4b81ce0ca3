// `npm run bench:validation`: what the register's whole-document check costs per incoming change,
// on a realistic plan (Pål's, with two years of edits: the benchmark's long plan) and a full
// month's visit log. The register checks the Automerge document as it is materialized (as in
// write-path.ts); a plain copy (`toJS`) first is shown beside it for comparison.
import * as A from '@automerge/automerge';
import { genesis } from '$lib/domain/genesis';
import { logDocId, type ItemId, type Month } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { addPlanComment } from '$lib/domain/plan-ops';
import { documentProblem } from '$lib/domain/schema';
import { clinicians, demoDocuments, pal, withEditHistory } from '$lib/fixtures';
import { refOf } from '$lib/fixtures/support';

const EDITS = Number(process.env.BENCH_EDITS ?? 1500);
const RUNS = 200;

function timed(label: string, run: () => unknown, runs = RUNS): void {
	for (let i = 0; i < 10; i++) run();
	const ms: number[] = [];
	for (let i = 0; i < runs; i++) {
		const t = performance.now();
		run();
		ms.push(performance.now() - t);
	}
	ms.sort((a, b) => a - b);
	const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!.toFixed(2);
	console.log(`${label}: median ${at(0.5)} ms, p95 ${at(0.95)} ms (${runs} runs)`);
}

const t0 = performance.now();
const palDoc = demoDocuments().find((d) => d.patientId === pal.patientId)!;
const long = withEditHistory(palDoc.doc, EDITS);
const value = A.toJS(long) as Plan;
console.log(`plan with ${A.getAllChanges(long).length} changes (${A.save(long).length} bytes saved): ${Object.keys(value.comments).length} plan comments, ${Object.values(value.measures).reduce((n, m) => n + Object.keys(m.comments).length, 0)} measure comments; built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const ref = { kind: 'plan', patientId: pal.patientId } as const;
if (documentProblem(ref, long) !== null) throw new Error(`the long plan is invalid: ${documentProblem(ref, long)}`);

timed('validate the plan (Automerge document, as the register does)', () => documentProblem(ref, long));
timed('toJS then validate (for comparison)', () => documentProblem(ref, A.toJS(long)), 50);
const by = refOf(clinicians.ranaNurse);
let edited = long;
timed('one comment added (Automerge.change, for comparison)', () => (edited = A.change(edited, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Ny kommentar.', { by, at: '2026-11-20T09:00:00.000Z' }))), 50);

const month = '2026-11' as Month;
let log = genesis(logDocId(pal.patientId, month), newMeasureLog(pal.patientId, month)) as A.Doc<MeasureLog>;
log = A.change(log, (l) => {
	for (let day = 1; day <= 30; day++) {
		for (const slot of ['08:00', '20:00']) {
			const at = `2026-11-${String(day).padStart(2, '0')}T${slot === '08:00' ? '07' : '19'}:05:00.000Z`;
			recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at, slot, note: '' }, { by, at });
		}
	}
});
timed('validate a month log with 60 visit records', () => documentProblem({ kind: 'log', patientId: pal.patientId, month }, log));
