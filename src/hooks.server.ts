import type { ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { startAuthRuntime } from '$lib/server/auth/runtime';
import { startSyncRuntime } from '$lib/server/sync/runtime';

/**
 * Opens the document store (PostgreSQL when DATABASE_URL is set, else documents.sqlite in
 * DBEP_DATA_DIR, default ./data) and the sync hub once per process, seeding the demo plans into an
 * empty store, and publishes them for src/server.js (and the dev server) to attach /sync.
 */
export const init: ServerInit = async () => {
	if (building) return;
	await startSyncRuntime({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DBEP_DATA_DIR });
	await startAuthRuntime({ origin: process.env.ORIGIN ?? 'http://localhost:5173', dataDir: process.env.DBEP_DATA_DIR ?? 'data' });
};
