import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server process of our own (built app, own data folder, own port), for tests that stop it. */
export type ServerProcess = {
	url: string;
	dataDir: string;
	/** Starts (or restarts) the process and waits until /healthz answers. */
	start(): Promise<void>;
	/** Ends it at once, as a crash or power loss would. */
	kill(): Promise<void>;
	/** Stops it and removes its data. */
	dispose(): Promise<void>;
	/** Everything the process printed (stdout and stderr), for tests that check what servers log. */
	output(): string;
};

const root = new URL('..', import.meta.url).pathname;

/**
 * A server on `port` with a fresh SQLite store in a temporary folder, or on `databaseUrl`;
 * `env` adds to its environment (e.g. DBEP_DEMO_EXTRA_PATIENTS for a larger register, whose
 * first start takes longer while it builds the plans). ORIGIN is set to `url` unless
 * `withoutOrigin`: then the server serves the address it is reached at.
 */
export function serverProcess(port: number, databaseUrl?: string, env: Record<string, string> = {}, { withoutOrigin = false } = {}): ServerProcess {
	const dataDir = mkdtempSync(join(tmpdir(), 'dbep-e2e-'));
	const url = `http://localhost:${port}`;
	let child: ChildProcess | null = null;
	let printed = '';
	const exited = () =>
		new Promise<void>((resolve) => {
			if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
			else child.once('exit', () => resolve());
		});
	return {
		url,
		dataDir,
		async start() {
			const { ORIGIN: _inherited, ...inherited } = process.env;
			child = spawn(process.execPath, ['src/server.js'], {
				cwd: root,
				env: { ...inherited, PORT: String(port), HOST: '127.0.0.1', DBEP_DATA_DIR: dataDir, ...(withoutOrigin ? {} : { ORIGIN: url }), ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env },
				stdio: ['ignore', 'pipe', 'pipe']
			});
			child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
			child.stderr?.on('data', (chunk: Buffer) => {
				printed += chunk.toString();
				process.stderr.write(chunk);
			});
			// Up to a minute: a first start seeding many generated plans builds them on a busy machine.
			for (let i = 0; i < 600; i++) {
				try {
					if ((await fetch(`${url}/healthz`)).ok) return;
				} catch {
					// not listening yet
				}
				await new Promise((r) => setTimeout(r, 100));
			}
			throw new Error(`server on ${port} did not start`);
		},
		async kill() {
			child?.kill('SIGKILL');
			await exited();
		},
		output: () => printed,
		async dispose() {
			child?.kill('SIGTERM');
			await exited();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
