import type { Server } from 'node:http';
import { demoDocuments, ranaCaseload } from '$lib/fixtures';
import { openDocumentStore, type DocumentStore, type StoreConfig } from '$lib/server/store';
import { SyncHub } from './hub';
import { attachSync, createSyncSocket, type SyncSocket, type SyncSocketOptions } from './websocket';

/**
 * Sync as one process runs it, published on `globalThis[Symbol.for('dbep.sync')]`: kit's build
 * bundles this code, so the server entry (src/server.js) and Vite's dev server, which cannot
 * import it, find the hub and the WebSocket code there.
 */
export type SyncRuntime = {
	hub: SyncHub;
	/** The register's store (documents, summaries, the access log). */
	store: DocumentStore;
	/** Serves /sync on the server's upgrade requests. */
	attach(server: Server, options: SyncSocketOptions): SyncSocket;
	/** A /sync endpoint whose upgrades the caller hands over (Vite's dev server). */
	createSocket(options: SyncSocketOptions): SyncSocket;
	/** Closes the hub (waiting for commits in flight), then the store. */
	close(): Promise<void>;
};

/** The global key of the running SyncRuntime. */
export const SYNC_RUNTIME = Symbol.for('dbep.sync');
const STARTING = Symbol.for('dbep.sync.starting');

type Globals = { [SYNC_RUNTIME]?: SyncRuntime; [STARTING]?: Promise<SyncRuntime> };

async function create(config: StoreConfig, extraPatients: number): Promise<SyncRuntime> {
	const store = await openDocumentStore(config);
	try {
		const hub = new SyncHub(store);
		// Generated patients are built only for an empty register: their plans cost ~50 ms each to make.
		if (!(await store.manifest()).length) await hub.seedIfEmpty([...demoDocuments(), ...ranaCaseload(extraPatients)]);
		return {
			hub,
			store,
			attach: (server, options) => attachSync(server, hub, options),
			createSocket: (options) => createSyncSocket(hub, options),
			close: async () => {
				await hub.close();
				await store.close();
			}
		};
	} catch (error) {
		await store.close();
		throw error;
	}
}

/**
 * Starts sync once per process (the store named by `config`, SQLite under ./data by default;
 * the demo plans, and `extraPatients` generated ones on the Rana nurse's care team, seeded into
 * an empty one) and publishes it; later calls get the same runtime.
 */
export function startSyncRuntime(config: StoreConfig = {}, extraPatients = 0): Promise<SyncRuntime> {
	const g = globalThis as Globals;
	g[STARTING] ??= create(config, extraPatients).then(
		(runtime) => (g[SYNC_RUNTIME] = runtime),
		(error: unknown) => {
			delete g[STARTING];
			throw error;
		}
	);
	return g[STARTING];
}

/** The running sync runtime (started by the init hook). */
export function syncRuntime(): Promise<SyncRuntime> {
	const starting = (globalThis as Globals)[STARTING];
	if (!starting) throw new Error('DBEP: sync was not started by the init hook');
	return starting;
}
