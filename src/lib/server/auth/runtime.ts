import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { User } from '$lib/server/access/users';
import { demoAccounts, demoDirectory } from './directory';
import { apiTokenVerifier, issuerKeys, type ApiAuth } from './api-token';
import { API_AUDIENCE, createEmbeddedProvider, type EmbeddedProvider } from './provider';
import { relyingParty, type RelyingParty } from './relying-party';
import { serverSessions, type ServerSessions, type Session, type SessionRecords } from './sessions';

/**
 * Login as one process runs it, published on `globalThis[Symbol.for('dbep.auth')]` for
 * src/server.js (which mounts the embedded provider and authenticates /sync) and used by the
 * /auth routes.
 */
export type AuthRuntime = {
	/** The embedded identity provider, when no other issuer is configured. */
	provider: EmbeddedProvider | null;
	rp: RelyingParty;
	/** Signs the cookie of a login in progress. */
	secret: string;
	/** Logins, kept in the register. */
	sessions: ServerSessions;
	/** The logged-in user of a Cookie header: null without a session cookie, 'invalid' for an unknown, ended or expired one. */
	userOf(cookieHeader: string | undefined): Promise<User | null | 'invalid'>;
	/** As `userOf`, with when the session ends. */
	sessionOf(cookieHeader: string | undefined): Promise<Session | null | 'invalid'>;
	/** Checks an API request's bearer token (Authorization header) for `scope`. */
	apiCaller(authorization: string | null, url: URL, scope: string): Promise<ApiAuth>;
};

export const AUTH_RUNTIME = Symbol.for('dbep.auth');
type Globals = { [AUTH_RUNTIME]?: Promise<AuthRuntime> };

/** The secret that signs sessions: DBEP_SESSION_SECRET, else one kept in the data directory (so logins survive a restart). */
async function sessionSecret(dataDir: string | undefined): Promise<string> {
	const fromEnv = process.env.DBEP_SESSION_SECRET;
	if (fromEnv && fromEnv.length >= 32) return fromEnv;
	if (!dataDir) return randomBytes(32).toString('base64url');
	const file = join(dataDir, 'session-secret');
	try {
		return (await readFile(file, 'utf8')).trim();
	} catch {
		const secret = randomBytes(32).toString('base64url');
		await mkdir(dataDir, { recursive: true });
		await writeFile(file, secret, { mode: 0o600 });
		return secret;
	}
}

/** What login needs to start: the app's public address, where to keep its secret, and the register's login records. */
export type AuthOptions = { origin: string; dataDir?: string; sessions: SessionRecords };

async function create(opts: AuthOptions): Promise<AuthRuntime> {
	const clientId = process.env.OIDC_CLIENT_ID ?? 'dbep-app';
	const external = process.env.OIDC_ISSUER;
	const provider = external
		? null
		: await createEmbeddedProvider({
				origin: opts.origin,
				clientId,
				accounts: demoAccounts().map(({ user, claims }) => ({ claims, label: [roleLabel[user.role], user.organisation].filter(Boolean).join(', ') })),
				// The demo EHR that calls the API; without a configured secret it gets a random one nobody knows.
				apiClients: [{ clientId: 'dbep-demo-ehr', clientSecret: process.env.DBEP_DEMO_API_SECRET ?? randomBytes(32).toString('base64url') }]
			});
	const issuer = external ?? provider!.issuer;
	const apiCaller = apiTokenVerifier({ issuer, audience: process.env.DBEP_API_AUDIENCE ?? API_AUDIENCE, keys: issuerKeys(issuer) });
	const secret = await sessionSecret(opts.dataDir);
	const sessions = serverSessions(opts.sessions, demoDirectory);
	return {
		provider,
		apiCaller,
		rp: relyingParty({ issuer, clientId, clientSecret: process.env.OIDC_CLIENT_SECRET, redirectUri: `${opts.origin}/auth/callback` }),
		secret,
		sessions,
		userOf: (header) => sessions.user(header),
		sessionOf: (header) => sessions.open(header)
	};
}

const roleLabel: Record<string, string> = { 'home-care': 'hjemmesykepleier', gp: 'fastlege', specialist: 'spesialist', coordinator: 'koordinator', patient: 'pasient', relative: 'pårørende med fullmakt' };

/** Starts login once per process; later calls get the same runtime. */
export function startAuthRuntime(opts: AuthOptions): Promise<AuthRuntime> {
	const g = globalThis as Globals;
	g[AUTH_RUNTIME] ??= create(opts).catch((error: unknown) => {
		delete g[AUTH_RUNTIME];
		throw error;
	});
	return g[AUTH_RUNTIME];
}

/** The running login runtime (started by the init hook). */
export function authRuntime(): Promise<AuthRuntime> {
	const running = (globalThis as Globals)[AUTH_RUNTIME];
	if (!running) throw new Error('DBEP: login was not started by the init hook');
	return running;
}
