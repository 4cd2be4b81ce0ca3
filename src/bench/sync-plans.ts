// The plans `bench:sync` sends to a fresh device, in two sizes (BENCH_PLAN_SIZE):
// - `realistic` (default): a generated patient's whole plan (diagnoses, goals, 3–8 measures with
//   their texts, contact guidance, what matters; about 9.6 KiB saved) and 29 plan comments after it;
// - `small`: the plan of STACK-NOTES' automerge-repo figure, "small plans (30 changes each)": an
//   empty plan for the patient (no items) with one short comment, then 29 small edits of that
//   comment's text (a few characters each), about 1 KiB saved.
// Either way 30 changes per document. Building 1,000 realistic plans costs a minute or two (each
// whole plan is one large first change), so built plans are cached as saved bytes under
// node_modules/.cache, keyed by everything they are made from; BENCH_CACHE=0 rebuilds.
import * as A from '@automerge/automerge';
import { decode, encode } from 'cborg';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { genesis } from '$lib/domain/genesis';
import { planDocId, type ItemId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { addPlanComment, newPlan } from '$lib/domain/plan-ops';
import { clinicians, createPlanDocument, syntheticPatients, type FixtureDocument, type FixturePatient } from '$lib/fixtures';
import { refOf } from '$lib/fixtures/support';

export type PlanSize = 'small' | 'realistic';
export const CHANGES_PER_PLAN = 30;

const nurse = refOf(clinicians.ranaNurse);
const CACHE_DIR = join(process.cwd(), 'node_modules', '.cache', 'dbep-bench');

/** The plan size asked for by BENCH_PLAN_SIZE; anything else is refused with the values allowed. */
export function planSizeFrom(value: string | undefined): PlanSize {
	if (value === undefined || value === '' || value === 'realistic') return 'realistic';
	if (value === 'small') return 'small';
	throw new Error(`BENCH_PLAN_SIZE must be "small" or "realistic", not "${value}"`);
}

function firstChange(size: PlanSize, p: FixturePatient): FixtureDocument {
	if (size === 'realistic') return createPlanDocument(p);
	const docId = planDocId(p.patientId);
	const plan = newPlan(p.patientId, p.patient, { form: 'written', givenBy: 'patient' }, { by: nurse, at: p.plan.createdAt });
	return { docId, patientId: p.patientId, doc: genesis(docId, plan) };
}

/** The i-th change after the first (1 ≤ i < 30): a new comment, or for a small plan an edit of its one comment. */
function laterChange(size: PlanSize, i: number, comment: ItemId): (plan: Plan) => void {
	const at = new Date(Date.UTC(2025, 0, 1 + i)).toISOString();
	if (size === 'realistic') return (x) => addPlanComment(x, crypto.randomUUID() as ItemId, `Notat ${i}`, { by: nurse, at });
	if (i === 1) return (x) => addPlanComment(x, comment, 'Notat 1', { by: nurse, at });
	return (x) => A.updateText(x, ['comments', comment, 'text'], `Notat ${i}`);
}

function build(size: PlanSize, patients: readonly FixturePatient[]): FixtureDocument[] {
	return patients.map((p) => {
		const d = firstChange(size, p);
		const comment = crypto.randomUUID() as ItemId;
		let doc = d.doc;
		for (let i = 1; i < CHANGES_PER_PLAN; i++) doc = A.change(doc, { time: Date.UTC(2025, 0, 1 + i) / 1000 }, laterChange(size, i, comment));
		return { ...d, doc };
	});
}

type Cached = { docId: string; patientId: string; bytes: Uint8Array }[];

/** `count` plans of `size`, from the cache when one was built from the same inputs; `cached` says which. */
export async function benchPlans(size: PlanSize, count: number, useCache = process.env.BENCH_CACHE !== '0'): Promise<{ plans: FixtureDocument[]; cached: boolean }> {
	const patients = syntheticPatients(count, 11);
	const source = await readFile(new URL(import.meta.url), 'utf8');
	const automerge = await readFile(join(process.cwd(), 'node_modules', '@automerge', 'automerge', 'package.json'), 'utf8');
	const key = createHash('sha256').update(JSON.stringify([size, count, source, automerge, patients])).digest('hex').slice(0, 24);
	const file = join(CACHE_DIR, `plans-${size}-${count}-${key}.cbor`);
	if (useCache) {
		const stored = await readFile(file).catch(() => null);
		if (stored) {
			const rows = decode(stored) as Cached;
			return { cached: true, plans: rows.map((r) => ({ docId: r.docId as FixtureDocument['docId'], patientId: r.patientId as PatientId, doc: A.load<Plan>(r.bytes) })) };
		}
	}
	const plans = build(size, patients);
	if (useCache) {
		await mkdir(CACHE_DIR, { recursive: true });
		await writeFile(file, encode(plans.map((p): Cached[number] => ({ docId: p.docId, patientId: p.patientId, bytes: A.save(p.doc) }))));
	}
	return { cached: false, plans };
}
