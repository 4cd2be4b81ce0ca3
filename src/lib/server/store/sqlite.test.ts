import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runStoreAcceptance } from './acceptance';
import { openDocumentStore } from './index';
import { openSqliteStore } from './sqlite';
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

it('opens SQLite under the data folder when no database URL is given, in WAL mode at schema version 1', async () => {
	const dir = await temp();
	dirs.push(dir);
	await (await openDocumentStore({ dataDir: join(dir, 'data') })).close();
	const db = new Database(join(dir, 'data', 'documents.sqlite'), { readonly: true });
	expect([db.pragma('journal_mode', { simple: true }), db.pragma('user_version', { simple: true })]).toEqual(['wal', 1]);
	db.close();
});

it('refuses a database written by a newer server', async () => {
	const dir = await temp();
	dirs.push(dir);
	const path = join(dir, 'documents.sqlite');
	const db = new Database(path);
	db.pragma('user_version = 2');
	db.close();
	expect(() => openSqliteStore(path)).toThrow(/newer than this server/);
});
