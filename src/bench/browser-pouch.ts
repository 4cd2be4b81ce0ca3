// PouchDB, what offline health apps such as CHT sync with, in the same Chromium: the same plans as
// JSON documents (each plan's plain value) in an in-process CouchDB-compatible server
// (express-pouchdb over PouchDB's memory adapter), replicated into a fresh browser PouchDB
// (IndexedDB) with its default settings. Timed by its page from `replicate()` to `complete`,
// then a replication with nothing changed.
import express from 'express';
import expressPouchDB from 'express-pouchdb';
import PouchDB from 'pouchdb';
import memory from 'pouchdb-adapter-memory';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { Page } from '@playwright/test';
import { inPage } from './browser-probe';

export type PouchDoc = { _id: string } & Record<string, unknown>;
const MemoryPouch = PouchDB.plugin(memory).defaults({ adapter: 'memory' });

/** The page: replicates the server's `plans` into its own, and again on `__pouch.again()`. */
function page(): void {
	const state = { ms: null as number | null, again: [] as number[], error: null as string | null };
	const Pouch = (window as unknown as { PouchDB: BrowserPouch }).PouchDB;
	const local = new Pouch('plans');
	const remote = `${location.origin}/db/plans`;
	const replicate = async () => {
		const start = performance.now();
		await Pouch.replicate(remote, local);
		return performance.now() - start;
	};
	Object.assign(window, { __pouch: { state, again: async () => state.again.push(await replicate()) } });
	replicate().then(
		(ms) => (state.ms = ms),
		(e: unknown) => (state.error = String(e))
	);
}
/** The browser bundle's global. */
type BrowserPouch = { new (name: string): unknown; replicate(from: string, to: unknown): Promise<unknown> };
type PouchState = { ms: number | null; again: number[]; error: string | null };
declare global {
	interface Window {
		__pouch: { state: PouchState; again(): Promise<void> };
	}
}

/** The server on `port` holding `docs` in `plans`; `bytes` is their JSON size. */
export async function startPouchServer(port: number, docs: readonly PouchDoc[]): Promise<{ url: string; bytes: number; close(): Promise<void> }> {
	// express-pouchdb opens `plans` by name; memory databases of one name share their data.
	const db = new MemoryPouch('plans');
	for (let i = 0; i < docs.length; i += 500) await db.bulkDocs(docs.slice(i, i + 500) as PouchDoc[]);
	const app = express();
	const bundle = createRequire(import.meta.url).resolve('pouchdb/dist/pouchdb.min.js');
	const html = `<!doctype html><meta charset="utf-8"><title>pouchdb</title><script src="/pouchdb.min.js"></script><script>${inPage(page)}()</script>`;
	app.get('/', (_req, res) => void res.type('html').send(html));
	app.get('/pouchdb.min.js', (_req, res) => res.sendFile(bundle));
	app.use('/db', expressPouchDB(MemoryPouch, { mode: 'minimumForPouchDB', inMemoryConfig: true, logPath: '/dev/null' }));
	const server: Server = await new Promise((resolve) => {
		const s = app.listen(port, '127.0.0.1', () => resolve(s));
	});
	return {
		url: `http://127.0.0.1:${port}/`,
		bytes: docs.reduce((n, d) => n + Buffer.byteLength(JSON.stringify(d)), 0),
		close: async () => {
			await new Promise((resolve) => server.close(resolve));
			await db.destroy();
		}
	};
}

/** Fresh replication in `page`, then `again` nothing-changed ones: their times. */
export async function pouchOnce(page: Page, url: string, again: number): Promise<{ fresh: number; again: number[] }> {
	await page.goto(url);
	await page.waitForFunction(() => window.__pouch?.state.ms != null || window.__pouch?.state.error != null, undefined, { timeout: 15 * 60_000, polling: 200 });
	const state = await page.evaluate(() => window.__pouch.state);
	if (state.error) throw new Error(`PouchDB replication failed: ${state.error}`);
	for (let i = 0; i < again; i++) await page.evaluate(() => window.__pouch.again());
	return { fresh: state.ms!, again: await page.evaluate(() => window.__pouch.state.again) };
}
