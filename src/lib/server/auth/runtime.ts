import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { User } from '$lib/server/access/users';
import { demoAccounts, demoDirectory } from './directory';
import { apiTokenVerifier, issuerKeys, type ApiAuth } from './api-token';
import { API_AUDIENCE, createEmbeddedProvider, type EmbeddedProvider } from './provider';
import { servedOriginOf, servedOrigins, type ServedOrigins } from './origins';
import { relyingParty, type LoginState, type RelyingParty } from './relying-party';
import { loginRef, serverSessions, type ServerSessions, type Session, type SessionRecords } from './sessions';

/**
 * Login as one process runs it, published on `globalThis[Symbol.for('dbep.auth')]` for
 * src/server.js (which mounts the embedded provider and authenticates /sync) and used by the
 * /auth routes.
 */
export type AuthRuntime = {
	/** The embedded identity provider, when no other issuer is configured. */
	provider: EmbeddedProvider | null;
	rp: RelyingParty;
	/** The addresses the app is served at (see origins.ts). */
	origins: ServedOrigins;
	/** The origin a request with this Host header is served as, or null for a host this server does not serve. */
	servedOrigin(host: string | undefined): string | null;
	/**
	 * The origin a login started by a request with this Host header comes back to: its own address
	 * where the provider can send the browser back there, else null (the login screen then says
	 * where to open the app). An external provider knows one redirect URI: the canonical origin's.
	 */
	loginOrigin(host: string | undefined): string | null;
	/** Where to send the browser to log in from `origin` (a `loginOrigin`), and what to keep until it is back. */
	startLogin(origin: string, returnTo: string): Promise<{ url: URL; login: LoginState }>;
	/** Signs the cookie of a login in progress. */
	secret: string;
	/** Logins, kept in the register. */
	sessions: ServerSessions;
	/** The logged-in user of a Cookie header: null without a session cookie, 'invalid' for an unknown, ended or expired one. */
	userOf(cookieHeader: string | undefined): Promise<User | null | 'invalid'>;
	/** As `userOf`, with when the session ends. */
	sessionOf(cookieHeader: string | undefined): Promise<Session | null | 'invalid'>;
	/** Which login a Cookie header carries, by a name that opens nothing (`loginRef`), for provenance. */
	loginOf(cookieHeader: string | undefined): string | null;
	/** Checks an API request's bearer token (Authorization header) for `scope`. */
	apiCaller(authorization: string | null, url: URL, scope: string): Promise<ApiAuth>;
};

export const AUTH_RUNTIME = Symbol.for('dbep.auth');
/** Where the demo EHR's user login comes back to, unless DBEP_DEMO_EHR_REDIRECT_URI says otherwise. */
export const DEMO_EHR_REDIRECT_URI = 'http://127.0.0.1:8400/callback';
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

/** What login needs to start: the app's addresses, where to keep its secret, and the register's login records. */
export type AuthOptions = { origins: ServedOrigins; dataDir?: string | undefined; sessions: SessionRecords };

/** This process's served origins: from ORIGIN, PORT, HOST and DBEP_ALLOWED_HOSTS, and the machine's interface addresses. */
export function originsOfThisServer(defaultPort: number): ServedOrigins {
	const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
	return servedOrigins(process.env, addresses, defaultPort);
}

async function create(opts: AuthOptions): Promise<AuthRuntime> {
	const { origins } = opts;
	const clientId = process.env.OIDC_CLIENT_ID ?? 'dbep-app';
	const external = process.env.OIDC_ISSUER;
	const provider = external
		? null
		: await createEmbeddedProvider({
				origin: origins.canonical,
				appOrigins: origins.all,
				clientId,
				accounts: demoAccounts().map(({ user, claims }) => ({ claims, label: [roleLabel[user.role], user.organisation].filter(Boolean).join(', ') })),
				// The demo EHR that calls the API; without a configured secret it gets a random one nobody
				// knows. It may also log its user in, coming back to a loopback address (RFC 8252) by default.
				apiClients: [
					{
						clientId: 'dbep-demo-ehr',
						clientSecret: process.env.DBEP_DEMO_API_SECRET ?? randomBytes(32).toString('base64url'),
						redirectUris: [process.env.DBEP_DEMO_EHR_REDIRECT_URI ?? DEMO_EHR_REDIRECT_URI]
					}
				]
			});
	const issuer = external ?? provider!.issuer;
	const apiCaller = apiTokenVerifier({ issuer, audience: process.env.DBEP_API_AUDIENCE ?? API_AUDIENCE, keys: issuerKeys(issuer) });
	const secret = await sessionSecret(opts.dataDir);
	const sessions = serverSessions(opts.sessions, demoDirectory);
	const rp = relyingParty({ issuer, clientId, clientSecret: process.env.OIDC_CLIENT_SECRET });
	const servedOrigin = (host: string | undefined) => servedOriginOf(host, origins);
	return {
		provider,
		apiCaller,
		rp,
		origins,
		servedOrigin,
		loginOrigin(host) {
			const origin = servedOrigin(host);
			return provider || origin === origins.canonical ? origin : null;
		},
		async startLogin(origin, returnTo) {
			const { url, login } = await rp.start(returnTo, `${origin}/auth/callback`);
			// The embedded provider answers at every served address: the browser stays on the one it
			// is at, so the login's cookie, set there, is there again when the provider sends it back.
			return { url: provider ? new URL(`${url.pathname}${url.search}`, origin) : url, login };
		},
		secret,
		sessions,
		userOf: (header) => sessions.user(header),
		sessionOf: (header) => sessions.open(header),
		loginOf: (header) => loginRef(header)
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
