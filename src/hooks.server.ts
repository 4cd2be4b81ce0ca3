import type { ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { extraPatientsFrom } from '$lib/fixtures';
import { startAuthRuntime } from '$lib/server/auth/runtime';
import { startSyncRuntime } from '$lib/server/sync/runtime';

/**
 * Opens the document store (PostgreSQL when DATABASE_URL is set, else documents.sqlite in
 * DBEP_DATA_DIR, default ./data) and the sync hub once per process, seeding the demo plans into an
 * empty store (with DBEP_DEMO_EXTRA_PATIENTS generated patients on the Rana nurse's care team,
 * for a larger demo and the browser tests), and publishes them for src/server.js (and the dev
 * server) to attach /sync.
 */
export const init: ServerInit = async () => {
	if (building) return;
	await startSyncRuntime({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DBEP_DATA_DIR }, extraPatientsFrom(process.env.DBEP_DEMO_EXTRA_PATIENTS));
	await startAuthRuntime({ origin: process.env.ORIGIN ?? 'http://localhost:5173', dataDir: process.env.DBEP_DATA_DIR ?? 'data' });
};
