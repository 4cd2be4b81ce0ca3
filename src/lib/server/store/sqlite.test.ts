import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import { runStoreAcceptance } from './acceptance';
import { accessSummary } from './acceptance-register';
import { openDocumentStore } from './index';
import { NEED_TO_KNOW_SQL, openSqliteStore, SQLITE_MIGRATIONS } from './sqlite';
import type { DocumentStore } from './types';

const temp = () => mkdtemp(join(tmpdir(), 'dbep-store-'));

runStoreAcceptance('SQLite', async () => {
	const dir = await temp();
	const path = join(dir, 'nested', 'documents.sqlite');
	const opened: DocumentStore[] = [];
	const openOne = async () => {
		const store = openSqliteStore(path);
		opened.push(store);
		return store;
	};
	return {
		store: await openOne(),
		reopen: openOne,
		tamper: async (sql) => {
			const db = new Database(path);
			try {
				db.exec(sql);
			} finally {
				db.close();
			}
		},
		cleanup: async () => {
			for (const store of opened) await store.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
});

const dirs: string[] = [];
afterEach(async () => {
	for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

it('opens SQLite under the data folder when no database URL is given, in WAL mode at the latest schema version', async () => {
	const dir = await temp();
	dirs.push(dir);
	await (await openDocumentStore({ dataDir: join(dir, 'data') })).close();
	const db = new Database(join(dir, 'data', 'documents.sqlite'), { readonly: true });
	expect([db.pragma('journal_mode', { simple: true }), db.pragma('user_version', { simple: true })]).toEqual(['wal', SQLITE_MIGRATIONS.length]);
	db.close();
});

it('refuses a database written by a newer server', async () => {
	const dir = await temp();
	dirs.push(dir);
	const path = join(dir, 'documents.sqlite');
	const db = new Database(path);
	db.pragma(`user_version = ${SQLITE_MIGRATIONS.length + 1}`);
	db.close();
	expect(() => openSqliteStore(path)).toThrow(/newer than this server/);
});

it('migrates a version 1 database to the latest version, keeping its documents', async () => {
	const dir = await temp();
	dirs.push(dir);
	const path = join(dir, 'documents.sqlite');
	const p = '5b0c2f7e-1d3a-4c59-9e61-0a4f3b2c1d00' as PatientId;
	const v1 = new Database(path);
	v1.exec(SQLITE_MIGRATIONS[0] ?? '');
	v1.prepare('INSERT INTO docs (doc_id, patient_id, heads) VALUES (?, ?, ?)').run(planDocId(p), p, '["h1"]');
	v1.pragma('user_version = 1');
	v1.close();
	const store = openSqliteStore(path);
	try {
		expect(await store.manifest()).toStrictEqual([{ docId: planDocId(p), patientId: p, heads: ['h1'] }]);
		expect(await store.summaries()).toEqual([]);
		const summary = { patientId: p, name: 'Pål Testesen', birthDate: '1950-03-01', municipality: 'Rana', responsible: null, measures: [], records: {}, team: [] };
		await store.commit(planDocId(p), p, { add: [], remove: [], heads: ['h2'], summary });
		expect(await store.summaries([p])).toStrictEqual([summary]);
	} finally {
		await store.close();
	}
	const db = new Database(path, { readonly: true });
	expect(db.pragma('user_version', { simple: true })).toBe(SQLITE_MIGRATIONS.length);
	db.close();
});

it('migrates a register of schema version 5 by filling the need-to-know index from the summaries it holds', async () => {
	const dir = await temp();
	dirs.push(dir);
	const path = join(dir, 'documents.sqlite');
	const [p, q] = ['5b0c2f7e-1d3a-4c59-9e61-0a4f3b2c1d01', '5b0c2f7e-1d3a-4c59-9e61-0a4f3b2c1d02'] as PatientId[];
	const v5 = new Database(path);
	SQLITE_MIGRATIONS.slice(0, 5).forEach((ddl) => v5.exec(ddl));
	const insert = v5.prepare('INSERT INTO summaries (patient_id, summary) VALUES (?, ?)');
	insert.run(p, JSON.stringify(accessSummary(p!, ['u1', 'u2'], { nationalId: '03855100164' })));
	insert.run(q, JSON.stringify(accessSummary(q!, ['u1'], { blocked: ['u1'], nationalId: '03855100164' })));
	v5.pragma('user_version = 5');
	v5.close();
	const store = openSqliteStore(path);
	try {
		expect([await store.patientsOf('u1'), await store.patientsOf('u2')]).toEqual([[p], [p]]);
		expect((await store.patientsByNationalId('03855100164')).map((s) => s.patientId)).toEqual([p, q]);
	} finally {
		await store.close();
	}
});

it('answers need-to-know from indexes, not by scanning the summaries', async () => {
	const dir = await temp();
	dirs.push(dir);
	const path = join(dir, 'documents.sqlite');
	await openSqliteStore(path).close();
	const db = new Database(path, { readonly: true });
	const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as { detail: string }[]).map((r) => r.detail).join('; ');
	try {
		expect(plan(NEED_TO_KNOW_SQL.byNationalId)).toMatch(/USING INDEX summaries_national_id/);
		const patientsOf = plan(NEED_TO_KNOW_SQL.patientsOf);
		expect(patientsOf).toMatch(/SEARCH c USING PRIMARY KEY \(person_id=\?\)/);
		expect(patientsOf).toMatch(/SEARCH b USING PRIMARY KEY \(person_id=\? AND patient_id=\?\)/);
		expect(patientsOf).not.toMatch(/SCAN/);
	} finally {
		db.close();
	}
});
