import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import type { SyncSocket } from './src/lib/server/sync/websocket';

type Runtime = typeof import('./src/lib/server/sync/runtime');
type Auth = typeof import('./src/lib/server/auth/runtime');

/**
 * In `vite dev`, serves /sync on Vite's own server with the hub the app's init hook starts (the
 * same one: it lives on a global), authenticated by the session cookie as in production, and the
 * embedded identity provider (/oidc, /interaction) when no other issuer is configured. Other
 * upgrades, Vite's HMR among them, are left alone. Changes to this code need a restart.
 */
function devSync(): Plugin {
	return {
		name: 'dbep-dev-sync',
		apply: 'serve',
		configureServer(server) {
			const sync = () =>
				server.ssrLoadModule('/src/lib/server/sync/runtime.ts').then((mod) => (mod as Runtime).startSyncRuntime({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DBEP_DATA_DIR }));
			// Logins are kept in the register's store, so login starts after it.
			const auth = () =>
				Promise.all([server.ssrLoadModule('/src/lib/server/auth/runtime.ts'), sync()]).then(([mod, runtime]) =>
					(mod as Auth).startAuthRuntime({ origins: (mod as Auth).originsOfThisServer(5173), dataDir: process.env.DBEP_DATA_DIR ?? 'data', sessions: runtime.store })
				);
			server.middlewares.use((req, res, next) => {
				if (!/^\/(oidc|interaction)(\/|$)/.test(req.url ?? '')) return next();
				auth().then((a) => a.provider?.handle(req, res) || next(), next);
			});
			let socket: Promise<SyncSocket> | undefined;
			server.httpServer?.on('upgrade', (req, stream, head) => {
				if (new URL(req.url ?? '/', 'http://x').pathname !== '/sync') return;
				socket ??= Promise.all([sync(), auth()]).then(([runtime, a]) => runtime.createSocket({ authenticate: (r) => a.userOf(r.headers.cookie), login: (r) => a.loginOf(r.headers.cookie) }));
				socket.then(
					(s) => s.handleUpgrade(req, stream, head),
					(error: unknown) => {
						socket = undefined;
						server.config.logger.error(`sync: could not start (${error instanceof Error ? error.message : String(error)})`);
						stream.destroy();
					}
				);
			});
		}
	};
}

export default defineConfig({
	plugins: [sveltekit(), devSync()],
	// Automerge loads its wasm through import.meta.url; pre-bundling breaks that in `vite dev`.
	optimizeDeps: { exclude: ['@automerge/automerge'] },
	build: { target: 'es2022' },
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node',
		setupFiles: ['src/lib/test-setup.ts'],
		// Hub tests seed a real register (SQLite, six plans) per test: seconds on a loaded 2-core machine.
		testTimeout: 20_000
	}
});
