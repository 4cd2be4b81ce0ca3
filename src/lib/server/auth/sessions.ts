import { createHash, randomBytes } from 'node:crypto';
import type { User } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import { userFromClaims, type IdClaims, type PatientDirectory } from './directory';
import { cookieValue, SESSION_COOKIE, SESSION_SECONDS } from './session-cookie';

/** What the sessions keep in the register: the store's login records. */
export type SessionRecords = Pick<DocumentStore, 'createSession' | 'session' | 'endSession'>;

/** A valid session: its user and when it ends (seconds since the epoch). */
export type Session = { user: User; exp: number };

/** A started login: the token for the cookie (never stored), the user and when it ends. */
export type StartedSession = { token: string; user: User; exp: number };

/** The register's key for a cookie's token: its SHA-256, so the register never holds a usable token. */
export function sessionKey(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A name for the login a Cookie header carries, for the provenance of what it changes: the first
 * 16 hex digits of the register's key, so the record says which login it was without holding
 * anything that opens it. Null without a well-formed session cookie.
 */
export function loginRef(cookieHeader: string | undefined): string | null {
	const token = cookieValue(cookieHeader, SESSION_COOKIE);
	return token !== null && TOKEN.test(token) ? `login-${sessionKey(token).slice(0, 16)}` : null;
}

/**
 * Logins kept on the server. The cookie carries a random token; every use reads the login back
 * from the register and derives the user from the ID token's claims through the directory again,
 * so a logout, or a proxy the proxy register revoked, takes effect on the next request, on
 * every server process, instead of when a cookie expires.
 */
export function serverSessions(records: SessionRecords, directory: PatientDirectory) {
	return {
		/** Records a login for the person the claims describe; null when the register has no role for them. */
		async start(claims: IdClaims, now = Date.now()): Promise<StartedSession | null> {
			const user = userFromClaims(claims, directory);
			if (!user) return null;
			const token = randomBytes(32).toString('base64url');
			const exp = Math.floor(now / 1000) + SESSION_SECONDS;
			await records.createSession({
				key: sessionKey(token),
				userId: user.id,
				claims: { ...claims },
				createdAt: new Date(now).toISOString(),
				expiresAt: new Date(exp * 1000).toISOString(),
				endedAt: null
			});
			return { token, user, exp };
		},

		/** The session of a Cookie header: null without a session cookie, 'invalid' for an unknown, ended or expired one, or one whose person lost their role. */
		async open(cookieHeader: string | undefined, now = Date.now()): Promise<Session | null | 'invalid'> {
			const token = cookieValue(cookieHeader, SESSION_COOKIE);
			if (token === null) return null;
			if (!TOKEN.test(token)) return 'invalid';
			const stored = await records.session(sessionKey(token));
			if (!stored || stored.endedAt !== null || Date.parse(stored.expiresAt) <= now) return 'invalid';
			const user = userFromClaims(stored.claims as IdClaims, directory);
			return user ? { user, exp: Math.floor(Date.parse(stored.expiresAt) / 1000) } : 'invalid';
		},

		/** As `open`, the user alone. */
		async user(cookieHeader: string | undefined, now = Date.now()): Promise<User | null | 'invalid'> {
			const session = await this.open(cookieHeader, now);
			return session === null || session === 'invalid' ? session : session.user;
		},

		/** Ends the session of a Cookie header for good (logout); nothing to do without one. */
		async end(cookieHeader: string | undefined, now = Date.now()): Promise<void> {
			const token = cookieValue(cookieHeader, SESSION_COOKIE);
			if (token !== null && TOKEN.test(token)) await records.endSession(sessionKey(token), new Date(now).toISOString());
		}
	};
}

export type ServerSessions = ReturnType<typeof serverSessions>;
