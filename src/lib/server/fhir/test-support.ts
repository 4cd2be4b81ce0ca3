import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_EHR_REDIRECT_URI, startAuthRuntime, type AuthRuntime } from '$lib/server/auth/runtime';
import { startSyncRuntime, type SyncRuntime } from '$lib/server/sync/runtime';
import { HPR_ROLE_SYSTEM } from './headers';

/** The HPR category code (helsepersonellkategori) a vendor system would send for a clinician of this role. */
const CATEGORY_OF: Record<string, { code: string; display: string }> = {
	'home-care': { code: 'SP', display: 'Sykepleier' },
	coordinator: { code: 'SP', display: 'Sykepleier' },
	gp: { code: 'LE', display: 'Lege' },
	specialist: { code: 'LE', display: 'Lege' }
};

/**
 * The nhn-* headers a vendor system sends for a clinician acting under the ordinary basis
 * (`UNNTAK`); `extra` adds or replaces headers, and a `null` leaves one out.
 */
export function clinicianHeaders(clinician: { hpr: string; role: string }, extra: Record<string, string | null> = {}): Record<string, string> {
	const all: Record<string, string | null> = {
		'nhn-user-hpr': clinician.hpr,
		'nhn-user-role': encodeURIComponent(JSON.stringify({ system: HPR_ROLE_SYSTEM, ...CATEGORY_OF[clinician.role] })),
		'nhn-source-system': 'DIPS Arena (demo)',
		'nhn-access-basis': 'UNNTAK',
		'nhn-event-id': 'evt-0001',
		...extra
	};
	return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
}

/** The demo EHR's client secret in tests. */
export const TEST_EHR_SECRET = 'test-secret-of-the-demo-ehr-0123456789';

/** A register and its embedded identity provider running in this test process, as the init hook starts them. */
export type FhirTestRuntime = {
	origin: string;
	auth: AuthRuntime;
	sync: SyncRuntime;
	/** An access token from the real provider by client credentials (the demo EHR's, unless told). */
	token(scope: string, opts?: { resource?: string; secret?: string }): Promise<string>;
	/** A user-bound access token: the demo EHR logs the user `sub` in at the provider (authorization code, PKCE). */
	userToken(sub: string, scope: string): Promise<string>;
	close(): Promise<void>;
};

/**
 * Starts the process's sync runtime (the demo plans in a fresh SQLite register) and login runtime
 * (the embedded provider, issuer `http://127.0.0.1:<port>/oidc`), with the provider served on
 * `port` so the API's token check fetches its keys as in production. Once per test file: both
 * runtimes live on globals.
 */
export async function startFhirTestRuntime(port: number): Promise<FhirTestRuntime> {
	process.env.DBEP_DEMO_API_SECRET = TEST_EHR_SECRET;
	const dataDir = await mkdtemp(join(tmpdir(), 'dbep-fhir-'));
	const origin = `http://127.0.0.1:${port}`;
	const sync = await startSyncRuntime({ dataDir });
	const auth = await startAuthRuntime({ origins: { canonical: origin, all: [origin], fixed: true }, dataDir, sessions: sync.store });
	const server = createServer((req, res) => {
		if (!auth.provider?.handle(req, res)) res.writeHead(404).end();
	});
	await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
	return {
		origin,
		auth,
		sync,
		async token(scope, opts = {}) {
			const response = await fetch(`${origin}/oidc/token`, {
				method: 'POST',
				headers: { authorization: `Basic ${Buffer.from(`dbep-demo-ehr:${opts.secret ?? TEST_EHR_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'client_credentials', resource: opts.resource ?? 'urn:dbep:api', scope })
			});
			if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
			return ((await response.json()) as { access_token: string }).access_token;
		},
		async userToken(sub, scope) {
			const jar = new Map<string, string>();
			const go = async (path: string, init: RequestInit = {}) => {
				const response = await fetch(new URL(path, origin), { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
				for (const c of response.headers.getSetCookie()) {
					const [pair = ''] = c.split(';');
					const at = pair.indexOf('=');
					jar.set(pair.slice(0, at), pair.slice(at + 1));
				}
				return response.headers.get('location') ?? '';
			};
			const verifier = randomBytes(32).toString('base64url');
			const challenge = createHash('sha256').update(verifier).digest('base64url');
			const redirectUri = DEMO_EHR_REDIRECT_URI;
			const auth = new URLSearchParams({ client_id: 'dbep-demo-ehr', response_type: 'code', redirect_uri: redirectUri, scope: `openid ${scope}`, resource: 'urn:dbep:api', code_challenge: challenge, code_challenge_method: 'S256', state: 'test' });
			const interaction = await go(`/oidc/auth?${auth}`);
			const resume = await go(`${interaction}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ sub }) });
			const back = new URL(await go(resume));
			const code = back.searchParams.get('code');
			if (!code) throw new Error(`login did not come back with a code: ${back.href}`);
			const response = await fetch(`${origin}/oidc/token`, {
				method: 'POST',
				headers: { authorization: `Basic ${Buffer.from(`dbep-demo-ehr:${TEST_EHR_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, resource: 'urn:dbep:api' })
			});
			if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
			return ((await response.json()) as { access_token: string }).access_token;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await sync.close();
			await rm(dataDir, { recursive: true, force: true });
		}
	};
}
