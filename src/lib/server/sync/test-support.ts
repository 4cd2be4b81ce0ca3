/** Shared setup for the hub's tests: a hub on a fresh SQLite store seeded with the demo plans. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Automerge from '@automerge/automerge';
import { afterAll, afterEach } from 'vitest';
import type { DocumentId } from '$lib/domain/ids';
import { demoDocuments } from '$lib/fixtures';
import type { User } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { concatChunks } from './chunks';
import { ChangeChecker } from './change-checker';
import { SyncHub, type SyncHubOptions, type SyncLogEvent } from './hub';
import { TestDevice } from './test-device';

// Building the demo documents costs more than a test; saving them does not change them, so one set serves every hub.
let demo: ReturnType<typeof demoDocuments> | undefined;

/**
 * One pool of change-checking workers for every hub of a test file, as a server has one for its
 * life: starting two workers (0.3–0.5 s each) for every hub of a 1,000-run property test was most
 * of its time. Hubs that need their own limits pass `checker` options.
 */
let checker: ChangeChecker | undefined;
export const sharedChecker = (): ChangeChecker => (checker ??= new ChangeChecker().warm());
afterAll(async () => {
	await checker?.close();
	checker = undefined;
});

export type Harness = { store: DocumentStore; hub: SyncHub; events: SyncLogEvent[]; cleanup: () => Promise<void> };

/** A seeded hub on a temporary SQLite store; `wrap` may put a store in between (e.g. one that fails). */
export async function openHarness(options: SyncHubOptions = {}, wrap: (s: DocumentStore) => DocumentStore = (s) => s): Promise<Harness> {
	const dir = await mkdtemp(join(tmpdir(), 'dbep-hub-'));
	const inner = openSqliteStore(join(dir, 'documents.sqlite'));
	const store = wrap(inner);
	const events: SyncLogEvent[] = [];
	const hub = new SyncHub(store, { log: (e) => events.push(e), checker: sharedChecker(), ...options });
	await hub.seedIfEmpty((demo ??= demoDocuments()));
	const cleanup = async () => {
		await hub.close();
		await inner.close();
		await rm(dir, { recursive: true, force: true });
	};
	return { store, hub, events, cleanup };
}

/** The document as the store holds it, parsed. */
export async function storedDoc<T>(store: DocumentStore, docId: DocumentId): Promise<Automerge.Doc<T>> {
	return Automerge.load<T>(concatChunks(await store.chunks(docId)));
}

/** Heads sorted, for comparing. */
export const sorted = (heads: readonly string[]): string[] => [...heads].sort();

/** The store with some methods replaced, as another process's view or a failing database. */
export function wrapStore(store: DocumentStore, overrides: Partial<DocumentStore>): DocumentStore {
	return {
		commit: (...args) => store.commit(...args),
		chunks: (...args) => store.chunks(...args),
		views: (...args) => store.views(...args),
		manifest: (...args) => store.manifest(...args),
		summaries: (...args) => store.summaries(...args),
		patientsOf: (...args) => store.patientsOf(...args),
		patientsByNationalId: (...args) => store.patientsByNationalId(...args),
		provenance: (...args) => store.provenance(...args),
		loadSyncState: (...args) => store.loadSyncState(...args),
		saveSyncState: (...args) => store.saveSyncState(...args),
		appendAudit: (...args) => store.appendAudit(...args),
		audit: (...args) => store.audit(...args),
		auditPage: (...args) => store.auditPage(...args),
		createSession: (...args) => store.createSession(...args),
		session: (...args) => store.session(...args),
		endSession: (...args) => store.endSession(...args),
		emergencyGrants: (...args) => store.emergencyGrants(...args),
		subscribe: (...args) => store.subscribe(...args),
		close: () => store.close(),
		...overrides
	};
}

/** A store whose commits fail while `failing` is set, as a database that went away. */
export function flakyStore(store: DocumentStore): DocumentStore & { failing: boolean } {
	const state = { failing: false };
	const commit: DocumentStore['commit'] = (...args) => (state.failing ? Promise.reject(new Error('database went away')) : store.commit(...args));
	return Object.defineProperty(wrapStore(store, { commit }), 'failing', {
		get: () => state.failing,
		set: (value: boolean) => void (state.failing = value)
	}) as DocumentStore & { failing: boolean };
}

/** An `openHarness` whose hubs and stores are closed after each test of the calling file. */
export function harnessesPerTest(): typeof openHarness {
	const opened: Harness[] = [];
	afterEach(async () => {
		for (const h of opened.splice(0)) await h.cleanup();
	});
	return async (...args) => {
		const h = await openHarness(...args);
		opened.push(h);
		return h;
	};
}

/** A device that said hello empty and holds every snapshot. */
export async function freshDevice(h: Harness, peerId = `tablet-${randomUUID().slice(0, 8)}`, user: User | null = null): Promise<TestDevice> {
	const device = new TestDevice(peerId, user).connect(h.hub);
	device.hello();
	await device.settle();
	return device;
}
