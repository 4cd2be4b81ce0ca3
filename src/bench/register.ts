// `npm run bench:register`: the register's own costs, in one process on a real SQLite file.
// (a) Each incoming change through the hub's one write path (decode, role rules, validation,
//     summary, provenance, the commit with its access-log line, the reply), for a visit record
//     into Pål's month log and for an edit of his plan: milliseconds per change.
// (b) The hello of a clinician in a register of 10,000 patients, on ~300 of their care teams:
//     need-to-know from the store's indexes against the scan of every summary the register did
//     before (kept below to measure against), in the same run, as a ratio.
// BENCH_CHANGES sets how many changes of each kind (default 200); BENCH_PATIENTS the register's size (default 10000).
import * as A from '@automerge/automerge';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type ItemId, type Month, type PatientId } from '$lib/domain/ids';
import type { MeasureInput } from '$lib/domain/inputs';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { Measure, MeasureLog, Plan } from '$lib/domain/plan';
import { updateMeasure } from '$lib/domain/plan-ops';
import { osloMonth } from '$lib/domain/time';
import { summarize, type PatientSummary } from '$lib/domain/worklist';
import { clinicians, demoDocuments, pal } from '$lib/fixtures';
import { syntheticNationalId } from '$lib/fixtures/support';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { accessOf, blocks, principalFor, accessibleDocs } from '$lib/server/sync/access';
import { SyncHub, type SyncSession } from '$lib/server/sync/hub';
import { TestDevice } from '$lib/server/sync/test-device';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 200);
const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 10_000);
const TEAMS = 300;
const RUNS = 21;
const nurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? NaN;
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** The hub seen through a device, timing how long the register takes over each frame it receives. */
function timedHub(hub: SyncHub, spent: number[]) {
	return {
		connect(send: (frame: Uint8Array) => void, peer?: Parameters<SyncHub['connect']>[1]): SyncSession {
			const session = hub.connect(send, peer);
			return {
				receive: async (frame) => {
					const t = performance.now();
					await session.receive(frame);
					spent.push(performance.now() - t);
				},
				close: () => session.close()
			};
		}
	};
}

/** The register's time over one change, from the device's sync frame to the last frame it answered. */
async function perChange(device: TestDevice, spent: number[], docId: DocumentId, edit: (i: number) => void): Promise<number[]> {
	const times: number[] = [];
	for (let i = 0; i < CHANGES; i++) {
		edit(i);
		spent.length = 0;
		device.sync([docId]);
		await device.settle(2);
		times.push(spent.reduce((a, b) => a + b, 0));
		const refused = device.received('refused');
		if (refused.length) throw new Error(`the register refused a bench change: ${refused[0]?.reason} ${refused[0]?.detail}`);
	}
	return times;
}

const inputOf = (m: Measure): MeasureInput => ({ title: m.title, description: m.description, category: m.category, timing: m.timing, performer: m.performer, addresses: [...m.addresses], pllReference: m.pllReference });

async function changeCosts(dir: string): Promise<void> {
	const store = openSqliteStore(join(dir, 'changes.sqlite'));
	const hub = new SyncHub(store, { log: () => undefined });
	await hub.seedIfEmpty(demoDocuments());
	const spent: number[] = [];
	const device = new TestDevice('bench-rana-tablet', nurse).connect(timedHub(hub, spent));
	device.hello();
	await device.settle();
	const ctx = () => ({ by: personRefOf(nurse), at: new Date().toISOString() });
	const month = osloMonth(new Date()) as Month;
	const logId = logDocId(pal.patientId, month);
	device.docs.set(logId, genesis(logId, newMeasureLog(pal.patientId, month)) as A.Doc<unknown>);
	const visits = await perChange(device, spent, logId, (i) =>
		device.change<MeasureLog>(logId, (l) =>
			recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: new Date().toISOString(), slot: '08:00', note: i % 3 ? '' : 'Gitt uten problemer. Datteren sier synet virker dårligere.' }, ctx())
		)
	);
	const palPlan = planDocId(pal.patientId);
	const edits = await perChange(device, spent, palPlan, (i) =>
		device.change<Plan>(palPlan, (p) => {
			const m = p.measures[pal.measures.eyeDrops]!;
			updateMeasure(p, m.id, { ...inputOf(m), description: `Se PLL. Én dråpe i hvert øye morgen og kveld (endring ${i}).` }, ctx());
		})
	);
	// The first visit record creates the month's log: report it apart from the steady state.
	console.log(`register, per incoming change (SQLite file; rules, validation, summary, provenance, commit with access-log line, reply), ${CHANGES} of each:`);
	console.log(`  visit record into Pål's month log: median ${ms(median(visits.slice(1)))}, p95 ${ms(p95(visits.slice(1)))} (the first, creating the log: ${ms(visits[0] ?? NaN)})`);
	console.log(`  edit of a measure in Pål's plan:   median ${ms(median(edits))}, p95 ${ms(p95(edits))}`);
	const provenance = await store.provenance(palPlan, 10_000);
	if (provenance.length !== CHANGES) throw new Error(`expected ${CHANGES} provenance records for the plan, found ${provenance.length}`);
	device.disconnect();
	await hub.close();
	await store.close();
}

/** How the register found a clinician's patients before issue 9: every stored summary read and filtered. Kept to measure against. */
async function scanAccessOf(store: DocumentStore, user: User, now = new Date()): Promise<Set<PatientId>> {
	const summaries = await store.summaries();
	const grants = new Map<PatientId, string>();
	for (const g of await store.emergencyGrants(user.id, now.toISOString())) if (g.until) grants.set(g.patientId, g.until);
	const patients = new Set<PatientId>();
	for (const s of summaries) {
		if (blocks(s, user)) continue;
		if ((s.team ?? []).includes(user.id) || (grants.has(s.patientId) && !s.restricted)) patients.add(s.patientId);
	}
	return patients;
}

/** A register of PATIENTS summaries shaped like Pål's, three clinicians of a hundred on each care team, the nurse on TEAMS of them. */
async function bigRegister(store: DocumentStore): Promise<PatientId[]> {
	const plan = A.toJS(demoDocuments().find((d) => d.docId === planDocId(pal.patientId))!.doc) as Plan;
	const template = summarize(plan, []);
	const colleagues = Array.from({ length: 100 }, () => crypto.randomUUID());
	const hers: PatientId[] = [];
	const every = Math.floor(PATIENTS / TEAMS);
	for (let i = 0; i < PATIENTS; i++) {
		const patientId = crypto.randomUUID() as PatientId;
		const team = [colleagues[i % 100]!, colleagues[(i * 7 + 3) % 100]!, ...(i % every === 0 && hers.length < TEAMS ? [nurse.id] : [colleagues[(i * 13 + 5) % 100]!])];
		if (team.includes(nurse.id)) hers.push(patientId);
		const birth = new Date(Date.UTC(1930, 0, 1) + (i % 20_000) * 86_400_000).toISOString().slice(0, 10);
		const summary: PatientSummary = { ...template, patientId, name: `Pasient ${i}`, team, nationalId: syntheticNationalId(birth, i % 2 ? 'male' : 'female') };
		await store.commit(planDocId(patientId), patientId, { add: [], remove: [], heads: [crypto.randomUUID().replace(/-/g, '')], summary });
	}
	return hers;
}

async function helloCosts(dir: string): Promise<void> {
	const store = openSqliteStore(join(dir, 'register.sqlite'));
	let t = performance.now();
	const hers = await bigRegister(store);
	console.log(`register of ${PATIENTS} patients, the Rana nurse on ${hers.length} care teams: built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
	const indexed: number[] = [];
	const scanned: number[] = [];
	for (let run = 0; run < RUNS; run++) {
		t = performance.now();
		const found = await accessOf(store, nurse);
		indexed.push(performance.now() - t);
		t = performance.now();
		const before = await scanAccessOf(store, nurse);
		scanned.push(performance.now() - t);
		if (found.patients === 'all' || found.patients.size !== hers.length || before.size !== hers.length) throw new Error('the two lookups disagree');
	}
	const hello: number[] = [];
	for (let run = 0; run < RUNS; run++) {
		t = performance.now();
		await accessibleDocs(store, await principalFor(store, 'bench-tablet', nurse));
		hello.push(performance.now() - t);
	}
	const [i, s] = [median(indexed), median(scanned)];
	console.log(`  need-to-know at hello: indexed ${ms(i)}, today's scan of every summary ${ms(s)} (medians of ${RUNS}): the index is ${(s / i).toFixed(0)}× faster`);
	console.log(`  the hello's store work with the index (need-to-know and the manifest of her ${hers.length} patients): median ${ms(median(hello))}`);
	await store.close();
}

async function main(): Promise<void> {
	if (!Number.isSafeInteger(CHANGES) || CHANGES < 2) throw new Error(`BENCH_CHANGES must be a whole number of at least 2, not "${process.env.BENCH_CHANGES}"`);
	if (!Number.isSafeInteger(PATIENTS) || PATIENTS < TEAMS) throw new Error(`BENCH_PATIENTS must be a whole number of at least ${TEAMS}, not "${process.env.BENCH_PATIENTS}"`);
	const dir = await mkdtemp(join(tmpdir(), 'dbep-bench-register-'));
	try {
		await changeCosts(dir);
		await helloCosts(dir);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

await main();
process.exit(0);
