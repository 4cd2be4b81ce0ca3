// `npm run bench:register`: the register's own costs, in one process on a real SQLite file.
// (a) Each incoming change through the hub's one write path (decode, role rules, validation,
//     summary, provenance, the commit with its access-log line, the reply), for a visit record
//     into Pål's month log and for an edit of his plan: milliseconds per change.
//     Beside it, in the same run: the floor, the same changes applied to a copy of the document
//     and stored as an increment in another SQLite file, with no checks, summary, provenance or
//     access-log line (what storing whatever a device sent, as the register did before, costs at
//     least), and the ratio between the two.
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
import { chunkOf } from '$lib/server/sync/chunks';
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

/** The floor: a document applied and stored as increments with nothing checked, summarized or logged. */
function bareStore(store: DocumentStore) {
	const docs = new Map<DocumentId, A.Doc<unknown>>();
	return async (docId: DocumentId, changes: Uint8Array[]): Promise<number> => {
		const t = performance.now();
		const before = docs.get(docId) ?? A.init<unknown>();
		const [doc] = A.applyChanges(A.clone(before), changes);
		const increment = A.saveSince(doc, A.getHeads(before));
		const result = await store.commit(docId, pal.patientId, { add: [chunkOf('incremental', increment)], remove: [], heads: A.getHeads(doc) });
		if (!result.ok) throw new Error('the bare store refused a commit');
		docs.set(docId, doc);
		return performance.now() - t;
	};
}

type Costs = { register: number[]; floor: number[] };

/** The register's time over one change (the device's sync frame to the last frame it answered), and the floor's for the same change. */
async function perChange(device: TestDevice, spent: number[], bare: ReturnType<typeof bareStore>, docId: DocumentId, edit: (i: number) => void): Promise<Costs> {
	const costs: Costs = { register: [], floor: [] };
	// The floor starts from what the register holds, so both apply the same changes to the same document.
	await bare(docId, A.getAllChanges(device.docs.get(docId)!));
	for (let i = 0; i < CHANGES; i++) {
		const before = device.docs.get(docId)!;
		edit(i);
		spent.length = 0;
		device.sync([docId]);
		await device.settle(2);
		costs.register.push(spent.reduce((a, b) => a + b, 0));
		const refused = device.received('refused');
		if (refused.length) throw new Error(`the register refused a bench change: ${refused[0]?.reason} ${refused[0]?.detail}`);
		costs.floor.push(await bare(docId, A.getChanges(before, device.docs.get(docId)!)));
	}
	return costs;
}

/** One line of figures: the register's median and p95, the floor's median, and their ratio. */
function costLine(label: string, { register, floor }: Costs): string {
	return `  ${label} median ${ms(median(register))}, p95 ${ms(p95(register))}; floor ${ms(median(floor))}: ${(median(register) / median(floor)).toFixed(1)}× the floor`;
}

const inputOf = (m: Measure): MeasureInput => ({ title: m.title, description: m.description, category: m.category, timing: m.timing, performer: m.performer, addresses: [...m.addresses], pllReference: m.pllReference });

async function changeCosts(dir: string): Promise<void> {
	const store = openSqliteStore(join(dir, 'changes.sqlite'));
	const hub = new SyncHub(store, { log: () => undefined });
	await hub.seedIfEmpty(demoDocuments());
	const floorStore = openSqliteStore(join(dir, 'floor.sqlite'));
	const bare = bareStore(floorStore);
	const spent: number[] = [];
	const device = new TestDevice('bench-rana-tablet', nurse).connect(timedHub(hub, spent));
	device.hello();
	await device.settle();
	const ctx = () => ({ by: personRefOf(nurse), at: new Date().toISOString() });
	const month = osloMonth(new Date()) as Month;
	const logId = logDocId(pal.patientId, month);
	device.docs.set(logId, genesis(logId, newMeasureLog(pal.patientId, month)) as A.Doc<unknown>);
	// The first visit record creates the month's log: it is made apart from the steady state measured.
	device.change<MeasureLog>(logId, (l) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: new Date().toISOString(), slot: '08:00', note: '' }, ctx()));
	device.sync([logId]);
	await device.settle(2);
	const visits = await perChange(device, spent, bare, logId, (i) =>
		device.change<MeasureLog>(logId, (l) =>
			recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: new Date().toISOString(), slot: '08:00', note: i % 3 ? '' : 'Gitt uten problemer. Datteren sier synet virker dårligere.' }, ctx())
		)
	);
	const palPlan = planDocId(pal.patientId);
	const edits = await perChange(device, spent, bare, palPlan, (i) =>
		device.change<Plan>(palPlan, (p) => {
			const m = p.measures[pal.measures.eyeDrops]!;
			updateMeasure(p, m.id, { ...inputOf(m), description: `Se PLL. Én dråpe i hvert øye morgen og kveld (endring ${i}).` }, ctx());
		})
	);
	console.log(`register, per incoming change (SQLite file; rules, validation, summary, provenance, commit with access-log line, reply), ${CHANGES} of each,`);
	console.log(`against the floor (the same change applied and stored as an increment in another SQLite file, nothing checked or logged):`);
	console.log(costLine(`visit record into Pål's month log:`, visits));
	console.log(costLine(`edit of a measure in Pål's plan:  `, edits));
	const provenance = await store.provenance(palPlan, 10_000);
	if (provenance.length !== CHANGES) throw new Error(`expected ${CHANGES} provenance records for the plan, found ${provenance.length}`);
	device.disconnect();
	await hub.close();
	await store.close();
	await floorStore.close();
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
