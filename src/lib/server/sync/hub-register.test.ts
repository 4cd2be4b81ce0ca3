import * as Automerge from '@automerge/automerge';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type ItemId, type Month, type PatientId } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { addPlanComment } from '$lib/domain/plan-ops';
import { osloMonth } from '$lib/domain/time';
import type { PatientSummary } from '$lib/domain/worklist';
import { grantEmergencyAccess } from '$lib/server/access/emergency';
import { planStatus } from '$lib/server/access/plan-status';
import { clinicians, demoDocuments, pal, solveig } from '$lib/fixtures';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import { openPostgresStore } from '$lib/server/store/postgres';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { SyncHub } from './hub';
import { freshDevice, harnessesPerTest, wrapStore } from './test-support';
import { TestDevice } from './test-device';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const altaNurse = userOf(clinicians.altaNurse.id);
const palPlan = planDocId(pal.patientId);
const ctx = (user: User) => ({ by: personRefOf(user), at: new Date().toISOString() });
const patientsHeld = (d: TestDevice) => [...new Set([...d.docs.keys()].map((id) => id.split(':')[1]))].sort();

/** A patient the register holds a summary of, on the care team of `team`. */
const otherPatient = (team: string[], nationalId?: string): PatientSummary => ({
	patientId: crypto.randomUUID() as PatientId,
	name: 'Generert Pasient',
	birthDate: '1940-01-01',
	municipality: 'Rana',
	responsible: null,
	measures: [],
	team,
	...(nationalId ? { nationalId } : {})
});
const store = (s: DocumentStore, summary: PatientSummary) => s.commit(planDocId(summary.patientId), summary.patientId, { add: [], remove: [], heads: ['h1'], summary });

describe('SyncHub: need to know from the register’s indexes', () => {
	it('answers a clinician’s hello from her own patients’ summaries only, not the whole register', async () => {
		const read: (readonly PatientId[] | 'all')[] = [];
		const h = await open({}, (s) => wrapStore(s, { summaries: (ids) => (read.push(ids ?? 'all'), s.summaries(ids)) }));
		for (let i = 0; i < 40; i++) await store(h.store, otherPatient([altaNurse.id]));
		// A session open while those commits are caught up with checks each one's summary: let that pass first.
		(await freshDevice(h, 'alta-tablet', altaNurse)).disconnect();
		read.length = 0;
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		expect(patientsHeld(rana)).toEqual([pal.patientId, solveig.patientId].sort());
		expect(read).not.toContain('all');
		expect(new Set(read.flat())).toEqual(new Set([pal.patientId, solveig.patientId]));
	});

	it('refuses emergency access and the status call for a national ID two stored plans carry, naming why, instead of picking one', async () => {
		const h = await open();
		// A decoy stored before a second plan for one person was refused.
		const decoy = otherPatient([altaNurse.id], pal.patient.nationalId);
		await store(h.store, decoy);
		const asked = await grantEmergencyAccess(h.store, altaNurse, { nationalId: pal.patient.nationalId, reason: 'Pasienten er forvirret og alene hjemme' });
		expect(asked).toEqual({ ok: false, reason: 'national-id-ambiguous' });
		// Neither plan was opened to her; each patient's log shows the attempt.
		const alta = await freshDevice(h, 'alta-tablet', altaNurse);
		expect(patientsHeld(alta)).not.toContain(pal.patientId);
		for (const p of [pal.patientId, decoy.patientId]) {
			expect((await h.store.audit(p)).filter((e) => e.who.id === altaNurse.id && e.action !== 'read').map((e) => [e.action, e.detail])).toEqual([['emergency-denied', 'national-id-ambiguous']]);
		}
		expect(await planStatus(h.store, pal.patient.nationalId, 'dbep-demo-ehr')).toEqual({ ok: false, reason: 'national-id-ambiguous' });
		expect(await planStatus(h.store, solveig.patient.nationalId, 'dbep-demo-ehr')).toMatchObject({ ok: true, status: { hasPlan: true } });
	});
});

/** A hub on a fresh store of either kind, seeded with the demo plans, and raw SQL against its tables. */
type Register = { hub: SyncHub; store: DocumentStore; tamper: (sql: string) => Promise<void>; close: () => Promise<void> };

async function sqliteRegister(): Promise<Register> {
	const dir = await mkdtemp(join(tmpdir(), 'dbep-hub-register-'));
	const path = join(dir, 'documents.sqlite');
	const s = openSqliteStore(path);
	const hub = new SyncHub(s, { log: () => undefined });
	await hub.seedIfEmpty(demoDocuments());
	const tamper = async (sql: string) => {
		const db = new Database(path);
		try {
			db.exec(sql);
		} finally {
			db.close();
		}
	};
	return { hub, store: s, tamper, close: async () => (await hub.close(), await s.close(), await rm(dir, { recursive: true, force: true })) };
}

const url = process.env.TEST_DATABASE_URL ?? '';

async function postgresRegister(): Promise<Register> {
	const schema = `dbep_prov_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
	const s = await openPostgresStore(url, { schema });
	const hub = new SyncHub(s, { log: () => undefined });
	await hub.seedIfEmpty(demoDocuments());
	const sql = async (text: string, path = true) => {
		const client = new pg.Client({ connectionString: url, ...(path ? { options: `-c search_path=${schema}` } : {}) });
		await client.connect();
		await client.query(text).finally(() => client.end());
	};
	return { hub, store: s, tamper: (text) => sql(text), close: async () => (await hub.close(), await s.close(), await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`, false)) };
}

async function deviceOf(r: Register, peerId: string, user: User): Promise<TestDevice> {
	const device = new TestDevice(peerId, user).connect(r.hub);
	device.hello();
	await device.settle();
	return device;
}

const registers: [string, () => Promise<Register>, boolean][] = [
	['SQLite', sqliteRegister, false],
	['PostgreSQL', postgresRegister, !url]
];

describe.each(registers)('SyncHub on %s: provenance of every stored change', (_name, openRegister, skip) => {
	it.skipIf(skip)('records who, from which session and device, on what basis and when, with the change hashes, for a plan edit and a visit record', async () => {
		const r = await openRegister();
		try {
			const rana = await deviceOf(r, 'rana-tablet', ranaNurse);
			const heads = Automerge.getHeads(rana.docs.get(palPlan)!);
			const started = new Date().toISOString();
			rana.change<Plan>(palPlan, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Synet virker dårligere', ctx(ranaNurse)));
			const added = Automerge.getChangesMetaSince(rana.docs.get(palPlan)!, heads).map((c) => c.hash);
			const month = osloMonth(started) as Month;
			const logId = logDocId(pal.patientId, month);
			rana.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, month)), (l: MeasureLog) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: started, slot: '08:00', note: '' }, ctx(ranaNurse))) as Automerge.Doc<unknown>);
			rana.sync([palPlan, logId]);
			await rana.settle();
			expect(rana.received('refused')).toEqual([]);
			const [record] = await r.store.provenance(palPlan);
			expect(record).toMatchObject({
				patientId: pal.patientId,
				docId: palPlan,
				who: { id: ranaNurse.id, name: ranaNurse.name, role: ranaNurse.role, organisation: ranaNurse.organisation, hpr: ranaNurse.hpr },
				basis: 'care-team',
				peerId: 'rana-tablet',
				changes: added
			});
			expect(record!.session).toMatch(/\S/);
			expect(record!.at >= started && record!.at <= new Date().toISOString()).toBe(true);
			const [visit] = await r.store.provenance(logId);
			// The month's log was new to the register: every change of it came with this commit.
			expect(visit?.changes.sort()).toEqual(Automerge.getAllChanges(rana.docs.get(logId)!).map((c) => Automerge.decodeChange(c).hash).sort());
			expect(visit?.who.hpr).toBe(ranaNurse.hpr);
		} finally {
			await r.close();
		}
	});

	it.skipIf(skip)('stores and acknowledges nothing of a change whose provenance cannot be written, and stores it once, with one line and one record, when sent again', async () => {
		const r = await openRegister();
		try {
			const rana = await deviceOf(r, 'rana-tablet', ranaNurse);
			const before = { chunks: (await r.store.chunks(palPlan)).length, audit: await r.store.audit(pal.patientId), summary: await r.store.summaries([pal.patientId]) };
			await r.tamper('ALTER TABLE provenance RENAME TO provenance_away');
			rana.change<Plan>(palPlan, (p) => void (p.patient.municipality = 'Alta'));
			rana.sync([palPlan]);
			await rana.settle();
			expect(rana.received('refused').map((m) => m.reason)).toEqual(['server-error']);
			expect(rana.acked.has(palPlan)).toBe(false);
			expect((await r.store.chunks(palPlan)).length).toBe(before.chunks);
			expect(await r.store.summaries([pal.patientId])).toEqual(before.summary);
			expect((await r.store.audit(pal.patientId)).filter((e) => e.action === 'change')).toEqual(before.audit.filter((e) => e.action === 'change'));
			await r.tamper('ALTER TABLE provenance_away RENAME TO provenance');
			// The device sends it again (its sync state was forgotten): now all of it is stored, once.
			rana.connect(r.hub).hello();
			await rana.settle();
			rana.sync([palPlan]);
			await rana.settle();
			expect(rana.acked.has(palPlan)).toBe(true);
			expect((await r.store.summaries([pal.patientId]))[0]?.municipality).toBe('Alta');
			expect((await r.store.audit(pal.patientId)).filter((e) => e.action === 'change' && e.who.id === ranaNurse.id)).toHaveLength(1);
			expect((await r.store.provenance(palPlan)).map((p) => p.who.id)).toEqual([ranaNurse.id]);
		} finally {
			await r.close();
		}
	});
});
