// The register the browser benchmark's server starts with: the demo plans, `count` generated
// patients on the Rana nurse's care team (`ranaCaseload`, what DBEP_DEMO_EXTRA_PATIENTS seeds),
// the first of them with two years of history (1,500 changes by the care team). Building a
// plan costs 50–200 ms, so the generated plans are cached as saved bytes under node_modules/.cache,
// keyed by the fixtures' sources; the largest set built serves every smaller count (a prefix).
// Seeding goes through the current hub into a fresh data folder for each server, so the
// register is what the running code writes.
import * as A from '@automerge/automerge';
import { decode, encode } from 'cborg';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, demoDocuments, ranaCaseload, withEditHistory, type FixtureDocument } from '$lib/fixtures';
import { SyncHub } from '$lib/server/sync/hub';
import { openDocumentStore } from '$lib/server/store';

/** Changes in the long plan's history: two years of a care team's edits (as `bench:device`'s). */
export const LONG_HISTORY_EDITS = 1500;
const CACHE_DIR = join(process.cwd(), 'node_modules', '.cache', 'dbep-bench');

type Cached = { docId: string; patientId: string; bytes: Uint8Array }[];

async function cacheKey(): Promise<string> {
	const dir = join(process.cwd(), 'src', 'lib', 'fixtures');
	// What the plans are made of: the fixtures, Automerge, and `build` below (bump its tag when it changes).
	const hash = createHash('sha256').update(`build-1 ${LONG_HISTORY_EDITS}`);
	for (const f of (await readdir(dir)).sort()) hash.update(f).update(await readFile(join(dir, f)));
	hash.update(await readFile(join(process.cwd(), 'node_modules', '@automerge', 'automerge', 'package.json')));
	return hash.digest('hex').slice(0, 16);
}

function build(count: number): FixtureDocument[] {
	const docs = ranaCaseload(count);
	docs[0] = { ...docs[0]!, doc: withEditHistory(docs[0]!.doc as A.Doc<Plan>, LONG_HISTORY_EDITS, 3) };
	return docs;
}

/** `count` generated plans (the first with the long history), from the cache when it holds enough. */
export async function caseload(count: number, log: (line: string) => void): Promise<FixtureDocument[]> {
	const key = await cacheKey();
	await mkdir(CACHE_DIR, { recursive: true });
	const files = (await readdir(CACHE_DIR)).filter((f) => f.startsWith(`caseload-${key}-`));
	const best = files.map((f) => Number(f.split('-')[2]?.replace('.cbor', ''))).filter((n) => n >= count).sort((a, b) => a - b)[0];
	if (best !== undefined) {
		const rows = (decode(await readFile(join(CACHE_DIR, `caseload-${key}-${best}.cbor`))) as Cached).slice(0, count);
		return rows.map((r) => ({ docId: r.docId as FixtureDocument['docId'], patientId: r.patientId as PatientId, doc: A.load<Plan>(r.bytes) }));
	}
	const t = performance.now();
	log(`building ${count} generated plans (cached afterwards; 50–200 ms each)…`);
	const docs = build(count);
	await writeFile(join(CACHE_DIR, `caseload-${key}-${count}.cbor`), encode(docs.map((d): Cached[number] => ({ docId: d.docId, patientId: d.patientId, bytes: A.save(d.doc) }))));
	log(`built in ${((performance.now() - t) / 1000).toFixed(0)} s`);
	return docs;
}

/** The documents the nurse's tablet receives: the demo plans on her care team and `plans`. */
export function nurseDocuments(plans: readonly FixtureDocument[]): FixtureDocument[] {
	const demo = demoDocuments().filter((d) => summarize(d.doc as A.Doc<Plan>, []).team.includes(clinicians.ranaNurse.id));
	return [...demo, ...plans];
}

/** Seeds the register in `dataDir` (SQLite, as `npm start` opens it) with the demo plans and `plans`. */
export async function seedRegister(dataDir: string, plans: readonly FixtureDocument[]): Promise<void> {
	const store = await openDocumentStore({ dataDir });
	const hub = new SyncHub(store, { log: () => undefined });
	try {
		await hub.seedIfEmpty([...demoDocuments(), ...plans]);
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
