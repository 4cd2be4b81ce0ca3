// `npm run bench:fhir`: the FHIR API's costs, in one process on a real SQLite register, through
// the same handlers the /fhir routes call (everything but HTTP parsing).
// (a) `CarePlan/_search` with `_include=*` on Pål's plan after two years of edits (BENCH_EDITS,
//     default 500, about five a week): the first search after a start (the history decoded
//     once), then warm ones.
// (b) An update of a measure through the API (PUT with If-Match) until the write is acknowledged,
//     and until the nurse's connected tablet holds it; beside it, in the same run, the same edit
//     given straight to the register's write path (`SyncHub.run`), which the API's write includes.
// Targets: search under 50 ms, write acknowledged under 100 ms (medians and p95 of BENCH_RUNS, default 30).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import type { ServiceRequest } from 'fhir/r4';
import { planDocId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { clinicians, createPlanDocument, demoDocuments, pal, withEditHistory } from '$lib/fixtures';
import { demoUsers } from '$lib/server/access/users';
import { fhirDeps, type FhirRequest } from '$lib/server/fhir/context';
import { searchCarePlans } from '$lib/server/fhir/read';
import { writeResource } from '$lib/server/fhir/write';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { principalFor } from '$lib/server/sync/access';
import { SyncHub } from '$lib/server/sync/hub';
import { startSyncRuntime } from '$lib/server/sync/runtime';
import { TestDevice } from '$lib/server/sync/test-device';

const EDITS = Number(process.env.BENCH_EDITS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const gp = demoUsers.find((u) => u.id === clinicians.bodoGp.id)!;
const nurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;
const palPlan = planDocId(pal.patientId);

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length * 0.95)] ?? NaN;
const ms = (n: number) => `${n.toFixed(1)} ms`;
const verdict = (n: number, target: number) => (n < target ? `under the ${target} ms target` : `OVER the ${target} ms target`);

async function main(): Promise<void> {
	const dir = await mkdtemp(join(tmpdir(), 'dbep-bench-fhir-'));
	// The register holds the demo plans with Pål's after two years of edits; the runtime then finds it seeded.
	const long = withEditHistory(createPlanDocument(pal).doc as A.Doc<Plan>, EDITS, 3);
	const seedStore = openSqliteStore(join(dir, 'documents.sqlite'));
	const seeder = new SyncHub(seedStore, { log: () => {} });
	await seeder.seedIfEmpty(demoDocuments().map((d) => (d.docId === palPlan ? { ...d, doc: long } : d)));
	await seeder.close();
	await seedStore.close();

	const sync = await startSyncRuntime({ dataDir: dir });
	const deps = fhirDeps(sync.hub, sync.store);
	const principal = await principalFor(sync.store, 'fhir:dbep-demo-ehr', gp);
	const req: FhirRequest = { base: 'http://127.0.0.1:4800/fhir', caller: { clientId: 'dbep-demo-ehr', sourceSystem: 'EPJ benchmark', eventId: null, basis: 'UNNTAK', reason: null, hpr: gp.hpr!, role: { system: 'urn:oid:2.16.578.1.12.4.1.1.9060', code: 'LE' }, principal } };
	const form = new URLSearchParams({ 'subject:Patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${pal.patient.nationalId}`, _include: '*', status: 'active' });
	console.log(`FHIR API, Pål's plan after ${EDITS} edits over two years (${A.getAllChanges(long).length} changes, ${(A.save(long).length / 1024).toFixed(0)} KB saved)`);

	const search = async () => {
		const t = performance.now();
		const response = await searchCarePlans(deps, req, form);
		const bytes = (await response.text()).length;
		if (response.status !== 200) throw new Error(`search answered ${response.status}`);
		return { ms: performance.now() - t, bytes };
	};
	const first = await search();
	const warm: number[] = [];
	for (let i = 0; i < RUNS; i++) warm.push((await search()).ms);
	console.log(`  (a) CarePlan/_search _include=*: first after start ${ms(first.ms)} (history decoded once); then median ${ms(median(warm))}, p95 ${ms(p95(warm))}: ${verdict(median(warm), 50)} (${(first.bytes / 1024).toFixed(0)} KB bundle)`);

	const tablet = new TestDevice('nurse-tablet', nurse).connect(sync.hub);
	tablet.hello();
	await tablet.settle();
	tablet.sync();
	await tablet.settle();
	const id = pal.measures.annualEyeCheck;
	const acks: number[] = [];
	const receipts: number[] = [];
	const afterWrite: number[] = [];
	const writePath: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const current = JSON.parse(await (await searchCarePlans(deps, req, form)).text()).entry.find((e: { resource: ServiceRequest }) => e.resource.id === id).resource as ServiceRequest;
		const nextDue = `2027-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`;
		const body = { ...current, occurrenceTiming: { event: [nextDue], repeat: { frequency: 1, period: 1, periodUnit: 'a' } } };
		const t = performance.now();
		const response = await writeResource(deps, req, 'ServiceRequest', { kind: 'update', id, body, ifMatch: `W/"${current.meta?.versionId}"` });
		acks.push(performance.now() - t);
		if (response.status !== 200) throw new Error(`write answered ${response.status}: ${await response.text()}`);
		for (let turns = 0; (tablet.docs.get(palPlan) as A.Doc<Plan>).measures[id]?.timing.kind !== 'yearly' || ((tablet.docs.get(palPlan) as A.Doc<Plan>).measures[id]?.timing as { nextDue: string }).nextDue !== nextDue; turns++) {
			if (turns > 100_000) throw new Error('the tablet never received the write');
			await new Promise((resolve) => setImmediate(resolve));
		}
		receipts.push(performance.now() - t);
		const s = performance.now();
		await searchCarePlans(deps, req, form);
		afterWrite.push(performance.now() - s);
		// The same kind of edit without the API: the write path's own share of an acknowledgement.
		const m = (tablet.docs.get(palPlan) as A.Doc<Plan>).measures[id]!;
		const input = JSON.parse(JSON.stringify(m)) as Plan['measures'][string];
		const w = performance.now();
		const direct = await sync.hub.run(principal, pal.patientId, { type: 'update-measure', id, input: { title: input.title, description: `${input.description.replace(/ \(\d+\)$/, '')} (${i})`, category: input.category, timing: input.timing, performer: input.performer, addresses: [...input.addresses], pllReference: input.pllReference } });
		writePath.push(performance.now() - w);
		if (!direct.ok) throw new Error(`the write path refused: ${direct.detail}`);
	}
	console.log(`  (b) PUT ServiceRequest with If-Match: acknowledged median ${ms(median(acks))}, p95 ${ms(p95(acks))}: ${verdict(median(acks), 100)}; on the connected tablet median ${ms(median(receipts))}, p95 ${ms(p95(receipts))}`);
	console.log(`      the same edit straight to SyncHub.run (the write path the API's write includes): median ${ms(median(writePath))}, p95 ${ms(p95(writePath))}`);
	console.log(`      the next search after each write: median ${ms(median(afterWrite))}, p95 ${ms(p95(afterWrite))}`);
	tablet.disconnect();
	await sync.close();
	await rm(dir, { recursive: true, force: true });
}

await main();
