import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from '$lib/server/access/users';
import { parseUser } from './directory';

/** The cookie holding a signed session: httpOnly, never readable by scripts, sent with /sync's upgrade. */
export const SESSION_COOKIE = 'dbep_session';
/** How long a login lasts: a nurse's shift (and the 12 hours offline the device must work) with margin. */
export const SESSION_SECONDS = 16 * 60 * 60;

type Sealed = { user: User; exp: number };

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** `value` as JSON with an HMAC, for a cookie only this server can have written. */
export function seal(value: unknown, secret: string): string {
	const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
	return `${payload}.${sign(payload, secret)}`;
}

/** What `seal` sealed, or null when the value is forged or damaged. */
export function unseal(sealed: string, secret: string): unknown {
	const [payload, mac, extra] = sealed.split('.');
	if (!payload || !mac || extra !== undefined) return null;
	const expected = Buffer.from(sign(payload, secret));
	const given = Buffer.from(mac);
	if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
	try {
		return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
	} catch {
		return null;
	}
}

/** The cookie value for a session of `user` until `exp` (seconds since the epoch). */
export function sealSession(user: User, exp: number, secret: string): string {
	return seal({ user, exp } satisfies Sealed, secret);
}

/** A valid session: its user and when it ends (seconds since the epoch). */
export type Session = { user: User; exp: number };

/** The session in a cookie value, or null when it is forged, damaged or expired. */
export function readSession(value: string, secret: string, now = Date.now()): Session | null {
	const data = unseal(value, secret) as Partial<Sealed> | null;
	if (!data || typeof data.exp !== 'number' || data.exp * 1000 <= now) return null;
	const user = parseUser(data.user);
	return user ? { user, exp: data.exp } : null;
}

/** The user of a session cookie value, or null when it is forged, damaged or expired. */
export function openSession(value: string, secret: string, now = Date.now()): User | null {
	return readSession(value, secret, now)?.user ?? null;
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | null {
	for (const part of (header ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
	}
	return null;
}
