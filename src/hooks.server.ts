import { json, type Handle, type ServerInit } from '@sveltejs/kit';
import { building } from '$app/environment';
import { extraPatientsFrom } from '$lib/fixtures';
import { authRuntime, originsOfThisServer, startAuthRuntime } from '$lib/server/auth/runtime';
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
	const sync = await startSyncRuntime({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DBEP_DATA_DIR }, extraPatientsFrom(process.env.DBEP_DEMO_EXTRA_PATIENTS));
	// src/server.js sets PORT and HOST before the handler (and with it this hook) starts; 5173 is `vite dev`'s.
	await startAuthRuntime({ origins: originsOfThisServer(5173), dataDir: process.env.DBEP_DATA_DIR ?? 'data', sessions: sync.store });
};

/**
 * The app's own API (`/api/*`) answers with health data: none of it without a valid session,
 * whatever a route forgets. The API for other systems (`/api/v1/*`) has no session cookie: its
 * routes check a bearer access token instead.
 */
function needsSession(path: string): boolean {
	return (path === '/api' || path.startsWith('/api/')) && !path.startsWith('/api/v1/');
}

export const handle: Handle = async ({ event, resolve }) => {
	if (needsSession(event.url.pathname)) {
		const user = await (await authRuntime()).userOf(event.request.headers.get('cookie') ?? undefined);
		if (!user || user === 'invalid') return json({ error: 'not-logged-in' }, { status: 401, headers: { 'cache-control': 'no-store' } });
		event.locals.user = user;
	}
	return resolve(event);
};
