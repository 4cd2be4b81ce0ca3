import { createHmac, timingSafeEqual } from 'node:crypto';

/** The cookie holding the session's random token: httpOnly, never readable by scripts, sent with /sync's upgrade. */
export const SESSION_COOKIE = 'dbep_session';
/** How long a login lasts: a nurse's shift (and the 12 hours offline the device must work) with margin. */
export const SESSION_SECONDS = 16 * 60 * 60;

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** `value` as JSON with an HMAC, for a short-lived cookie only this server can have written (the login in progress). */
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

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | null {
	for (const part of (header ?? '').split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
	}
	return null;
}
