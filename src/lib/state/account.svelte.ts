import type { PersonRef, Role } from '$lib/domain/plan';

/** The logged-in user as the app shows them and stamps their changes. */
export type Account = { id: string; name: string; role: Role; organisation: string | null; hpr: string | null; patients: string[]; /** A relative's proxy scopes. */ scopes?: string[] };

/** Whether the account may do `scope` for its patients (a relative: as the proxy allows). */
export function accountAllows(user: Account | null, scope: 'write' | 'access-log' | 'visits'): boolean {
	return user !== null && (user.role !== 'relative' || (user.scopes ?? []).includes(scope));
}

const KEY = 'dbep.account';

function parse(value: unknown): Account | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	if (typeof v.id !== 'string' || typeof v.name !== 'string' || typeof v.role !== 'string') return null;
	const str = (x: unknown) => (typeof x === 'string' ? x : null);
	const patients = Array.isArray(v.patients) ? v.patients.filter((p): p is string => typeof p === 'string') : [];
	const scopes = Array.isArray(v.scopes) ? { scopes: v.scopes.filter((x): x is string => typeof x === 'string') } : {};
	return { id: v.id, name: v.name, role: v.role as Role, organisation: str(v.organisation), hpr: str(v.hpr), patients, ...scopes };
}

function remembered(): Account | null {
	try {
		return parse(JSON.parse(localStorage.getItem(KEY) ?? 'null'));
	} catch {
		return null;
	}
}

/**
 * Who is logged in on this device: asked of the server (/auth/me) when online, remembered for
 * offline use. Offline, the last known user stays (the session cookie outlives a shift).
 */
class AccountState {
	user = $state<Account | null>(null);
	checked = $state(false);

	async refresh(): Promise<void> {
		this.user ??= remembered();
		try {
			const response = await fetch('/auth/me', { cache: 'no-store', credentials: 'same-origin' });
			if (response.ok) {
				this.user = parse(await response.json());
				if (this.user) localStorage.setItem(KEY, JSON.stringify(this.user));
			} else if (response.status === 401) {
				this.user = null;
				localStorage.removeItem(KEY);
			}
		} catch {
			// Offline: keep the remembered user.
		}
		this.checked = true;
	}

	/** How a change by this user is stamped; null when nobody is logged in. */
	personRef(): PersonRef | null {
		return this.user ? { name: this.user.name, role: this.user.role, organisation: this.user.organisation } : null;
	}
}

export const account = new AccountState();
