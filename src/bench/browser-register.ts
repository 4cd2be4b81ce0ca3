// The register the browser benchmark's server starts with: the demo plans and `count` generated
// patients on the Rana nurse's care team, the first of them with two years of history (1,500
// changes by the care team, built through its history as `bench:device`'s).
//
// Building a realistic plan through the fixtures costs 50–200 ms (each string becomes Automerge
// text, character by character), and seeding through the hub parses every plan again: 10,000 took
// over an hour. So `TEMPLATES` plans are built for real (`ranaCaseload`), and every other plan is
// a template's document cloned and given its own patient (id, name, birth date, national id,
// municipality: from `syntheticPatients`, as `ranaCaseload` would) by one more Automerge change:
// the bytes are a realistic plan's, the content varies by template and patient, ≈ 15 ms each.
// The saved bytes, heads, list row and plain value of each plan are cached under node_modules/.cache
// (`fleet-…`, keyed by the fixtures' sources and `build-…` below; the largest set built serves
// every smaller count as a prefix), and the register is seeded with the store's own `commit`, with
// the list row the hub computes (`nextSummary`), without parsing again.
import * as A from '@automerge/automerge';
import { decode, encode } from 'cborg';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocumentId, planDocId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { summarize, type PatientSummary } from '$lib/domain/worklist';
import { clinicians, demoDocuments, ranaCaseload, syntheticPatients, withEditHistory } from '$lib/fixtures';
import { SyncHub } from '$lib/server/sync/hub';
import { nextSummary } from '$lib/server/sync/summary';
import { chunkOf } from '$lib/server/sync/chunks';
import { planViewFor } from '$lib/server/sync/plan-view';
import { openDocumentStore } from '$lib/server/store';

/** Changes in the long plan's history: two years of a care team's edits (as `bench:device`'s). */
export const LONG_HISTORY_EDITS = 1500;
/** Plans built for real through the fixtures; the others are clones of these with their own patient. */
const TEMPLATES = 64;
const CACHE_DIR = join(process.cwd(), 'node_modules', '.cache', 'dbep-bench');

/** One plan of the bench's register, as saved: what the server stores, the floor sends and PouchDB replicates. */
export type BenchPlan = { docId: DocumentId; patientId: PatientId; name: string; bytes: Uint8Array; heads: string[]; summary: PatientSummary; value: unknown };

async function cacheKey(): Promise<string> {
	const dir = join(process.cwd(), 'src', 'lib', 'fixtures');
	// What the plans are made of: the fixtures, Automerge, and `build` below (bump its tag when it changes).
	const hash = createHash('sha256').update(`build-2 ${LONG_HISTORY_EDITS} ${TEMPLATES}`);
	for (const f of (await readdir(dir)).sort()) hash.update(f).update(await readFile(join(dir, f)));
	hash.update(await readFile(join(process.cwd(), 'node_modules', '@automerge', 'automerge', 'package.json')));
	return hash.digest('hex').slice(0, 16);
}

async function saved(doc: A.Doc<Plan>): Promise<BenchPlan> {
	const docId = planDocId(doc.patientId);
	const summary = await nextSummary(parseDocumentId(docId)!, doc, undefined, async () => []);
	if (!summary) throw new Error(`bench register: no list row for ${docId}`);
	return { docId, patientId: doc.patientId, name: doc.patient.name, bytes: A.save(doc), heads: A.getHeads(doc), summary, value: A.toJS(doc) };
}

async function build(count: number, log: (line: string) => void): Promise<BenchPlan[]> {
	const templates = ranaCaseload(Math.min(count, TEMPLATES)).map((d) => d.doc as A.Doc<Plan>);
	templates[0] = withEditHistory(templates[0]!, LONG_HISTORY_EDITS, 3);
	const out: BenchPlan[] = [];
	for (const doc of templates) out.push(await saved(doc));
	const patients = syntheticPatients(count, 7);
	for (let i = templates.length; i < count; i++) {
		// Never the long plan as a template: one plan has two years of history, the others do not.
		const template = templates[1 + (i % (templates.length - 1))]!;
		const { patientId, patient } = patients[i]!;
		const doc = A.change(A.clone(template), { time: Math.floor(Date.parse(template.createdAt) / 1000) }, (d) => {
			d.patientId = patientId;
			d.patient = { ...patient };
		});
		out.push(await saved(doc));
		if (i % 1000 === 0) log(`  ${i} of ${count}…`);
	}
	return out;
}

/** `count` generated plans (the first with the long history), from the cache when it holds enough. */
export async function caseload(count: number, log: (line: string) => void): Promise<BenchPlan[]> {
	const key = await cacheKey();
	await mkdir(CACHE_DIR, { recursive: true });
	const files = (await readdir(CACHE_DIR)).filter((f) => f.startsWith(`fleet-${key}-`));
	const best = files.map((f) => Number(f.split('-')[2]?.replace('.cbor', ''))).filter((n) => n >= count).sort((a, b) => a - b)[0];
	if (best !== undefined) return (decode(await readFile(join(CACHE_DIR, `fleet-${key}-${best}.cbor`))) as BenchPlan[]).slice(0, count);
	const t = performance.now();
	log(`building ${count} generated plans (cached afterwards)…`);
	const plans = await build(count, log);
	// Written aside and renamed: a run stopped halfway leaves no short file under the final name.
	const file = join(CACHE_DIR, `fleet-${key}-${count}.cbor`);
	await writeFile(`${file}.${process.pid}`, encode(plans));
	await rename(`${file}.${process.pid}`, file);
	log(`built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
	return plans;
}

/** The documents the nurse's tablet receives (saved bytes and plain value): the demo plans on her care team and `plans`. */
export function nurseDocuments(plans: readonly BenchPlan[]): { docId: string; bytes: Uint8Array; value: unknown }[] {
	const demo = demoDocuments().filter((d) => summarize(d.doc as A.Doc<Plan>, []).team.includes(clinicians.ranaNurse.id));
	return [...demo.map((d) => ({ docId: d.docId, bytes: A.save(d.doc), value: A.toJS(d.doc) })), ...plans];
}

/**
 * The view the register keeps with a long plan (plan-view.ts), as its write path would have
 * written it. Only a plan large enough to have a long history is parsed to find out (a plan of
 * 100 changes saves to well over 16 KiB; the generated plans save to about 7.5 KiB), so seeding
 * 10,000 plans does not load each of them.
 */
function longPlanView(p: BenchPlan): { view?: NonNullable<ReturnType<typeof planViewFor>> } {
	const ref = parseDocumentId(p.docId);
	if (!ref || p.bytes.byteLength < 16 * 1024) return {};
	const doc = A.load(p.bytes);
	try {
		const view = planViewFor(ref, doc);
		return view ? { view } : {};
	} finally {
		A.free(doc);
	}
}

/**
 * Seeds the register in `dataDir` (SQLite, as `npm start` opens it): the demo plans through the
 * hub, then `plans` by the store's `commit`, with the list row the hub would have written.
 */
export async function seedRegister(dataDir: string, plans: readonly BenchPlan[]): Promise<void> {
	const store = await openDocumentStore({ dataDir });
	const hub = new SyncHub(store, { log: () => undefined });
	try {
		await hub.seedIfEmpty(demoDocuments());
		for (const p of plans) {
			const done = await store.commit(p.docId, p.patientId, { add: [chunkOf('snapshot', p.bytes)], remove: [], heads: p.heads, summary: p.summary, ...longPlanView(p) });
			if (!done.ok) throw new Error(`bench register: ${p.docId} not stored (${done.reason})`);
		}
	} finally {
		await hub.close();
		await store.close();
	}
}

// `tsx src/bench/browser-register.ts 10000` builds the cache ahead of a run.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
	const n = Number(process.argv[2] ?? 10000);
	await caseload(n, console.log);
	process.exit(0);
}
