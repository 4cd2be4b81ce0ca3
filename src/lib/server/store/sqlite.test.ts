import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import { runStoreAcceptance } from './acceptance';
import { openDocumentStore } from './index';
import { openSqliteStore, SQLITE_MIGRATIONS } from './sqlite';
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
