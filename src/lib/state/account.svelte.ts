import { actorOf } from '$lib/domain/person';
import type { Actor, Role } from '$lib/domain/plan';

/**
 * The logged-in user as the app shows them and stamps their changes, and when their session ends:
 * `expiresAt` as the server said, `validUntil` the same moment on this device's clock (ms), so a
 * tablet whose clock is off neither ends the shift early nor stretches it. `scopes`: a relative's
 * proxy scopes.
 */
export type Account = { id: string; name: string; role: Role; organisation: string | null; hpr: string | null; patients: string[]; expiresAt: string; validUntil: number; scopes?: string[] };

/** Whether the account may do `scope` for its patients (a relative: as the proxy allows). */
export function accountAllows(user: Account | null, scope: 'write' | 'access-log' | 'visits'): boolean {
	return user !== null && (user.role !== 'relative' || (user.scopes ?? []).includes(scope));
}

/** Why the device asks for a login: nobody logged in, the session ran out, or the PIN was forgotten after too many wrong tries. */
export type LoginReason = 'none' | 'expired' | 'locked-out';

const KEY = 'dbep.account';
/** When the session last ended on this device ended (logout, PIN forgotten): its cookie may outlive it and must not count. */
const ENDED = 'dbep.session-ended';
const LOCKED_OUT = 'dbep.locked-out';

function parse(value: unknown): Account | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	if (typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.role !== 'string') return null;
	if (typeof v.expiresAt !== 'string' || Number.isNaN(Date.parse(v.expiresAt))) return null;
	const str = (x: unknown) => (typeof x === 'string' ? x : null);
	const patients = Array.isArray(v.patients) ? v.patients.filter((p): p is string => typeof p === 'string') : [];
	const validUntil = typeof v.validUntil === 'number' ? v.validUntil : Date.parse(v.expiresAt);
	const scopes = Array.isArray(v.scopes) ? { scopes: v.scopes.filter((x): x is string => typeof x === 'string') } : {};
	return { id: v.id, name: v.name, role: v.role as Role, organisation: str(v.organisation), hpr: str(v.hpr), patients, expiresAt: v.expiresAt, validUntil, ...scopes };
}

const read = (key: string): string | null => {
	try {
		return localStorage.getItem(key);
	} catch {
		return null;
	}
};
const write = (key: string, value: string | null): void => {
	try {
		if (value === null) localStorage.removeItem(key);
		else localStorage.setItem(key, value);
	} catch {
		// Private mode: remembered for this page only.
	}
};

function remembered(): Account | null {
	try {
		return parse(JSON.parse(read(KEY) ?? 'null'));
	} catch {
		return null;
	}
}

/**
 * Who is logged in on this device and until when: asked of the server (/auth/me) when online,
 * remembered on the device for offline use. Offline, the remembered session counts until it
 * expires (16 hours: a shift with margin), so a nurse is never asked to log in during her shift.
 * A session ended on the device (logout, too many wrong PINs) is not revived by its cookie.
 */
class AccountState {
	/** The remembered or confirmed account; it may have expired (see `activeAt`). */
	user = $state<Account | null>(null);
	checked = $state(false);
	/** Set when the device forgot the PIN after too many wrong tries, until the next fresh login. */
	lockedOut = $state(read(LOCKED_OUT) !== null);
	/** True once the server has confirmed a session this device did not know yet: a fresh login. */
	renewed = $state(false);

	async refresh(): Promise<void> {
		this.user ??= remembered();
		// A remembered session opens the app at once: a slow or captive network must not keep the nurse waiting.
		if (this.user) this.checked = true;
		try {
			const response = await fetch('/auth/me', { cache: 'no-store', credentials: 'same-origin' });
			if (response.ok) this.#confirm(parse(await response.json()), Date.parse(response.headers.get('date') ?? ''));
			else if (response.status === 401) this.#forget();
		} catch {
			// Offline: keep the remembered session until it expires.
		}
		this.checked = true;
	}

	/** Takes the server's session, `serverNow` being the server's clock when it answered (NaN if unknown). */
	#confirm(account: Account | null, serverNow: number): void {
		const ended = read(ENDED);
		if (!account || (ended !== null && Date.parse(account.expiresAt) <= Date.parse(ended))) {
			// The cookie of a session already ended here: end it at the server too.
			this.#forget();
			void fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', redirect: 'manual' }).catch(() => undefined);
			return;
		}
		if (this.user?.expiresAt !== account.expiresAt) this.renewed = true;
		if (!Number.isNaN(serverNow)) account.validUntil = Date.now() + (Date.parse(account.expiresAt) - serverNow);
		this.user = account;
		this.lockedOut = false;
		write(KEY, JSON.stringify(account));
		write(ENDED, null);
		write(LOCKED_OUT, null);
	}

	#forget(): void {
		this.user = null;
		write(KEY, null);
	}

	/** Whether the session is valid at `now` (ms): the app may then be used, offline too. */
	activeAt(now: number): boolean {
		return this.user !== null && this.user.validUntil > now;
	}

	/** Why a login is needed at `now`, or null while the session is valid. */
	loginReason(now: number): LoginReason | null {
		if (this.activeAt(now)) return null;
		if (this.lockedOut) return 'locked-out';
		return this.user ? 'expired' : 'none';
	}

	/**
	 * Ends the session on this device (logout, or the PIN forgotten): it no longer counts here even
	 * while its cookie lasts, and the server is asked to end it when it can be reached.
	 */
	async end(why: 'logout' | 'locked-out'): Promise<void> {
		if (this.user) write(ENDED, this.user.expiresAt);
		if (why === 'locked-out') {
			this.lockedOut = true;
			write(LOCKED_OUT, '1');
		}
		this.#forget();
		await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin', redirect: 'manual' }).catch(() => undefined);
	}

	/** How a change by this user is stamped (with their id, and HPR number if a clinician); null when nobody is logged in. */
	personRef(): Actor | null {
		return this.user ? actorOf(this.user) : null;
	}
}

export const account = new AccountState();
