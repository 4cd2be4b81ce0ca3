import type { PatientId } from '$lib/domain/ids';
import type { Role } from '$lib/domain/plan';
import { pal } from '$lib/fixtures';
import { syntheticNationalId } from '$lib/fixtures/support';
import { demoUsers, isClinician, palGrandson, planlessPatient, PROXY_SCOPES, type ProxyScope, type User } from '$lib/server/access/users';

/** The claims of an ID token the register reads, as HelseID and ID-porten would give them. */
export type IdClaims = { sub: string; name?: unknown; role?: unknown; organisation?: unknown; hpr_number?: unknown; pid?: unknown };

const ROLES: ReadonlySet<string> = new Set<Role>(['home-care', 'gp', 'specialist', 'coordinator', 'relative', 'patient']);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null);

/**
 * Which patients a person logging in with a national ID (pid) is, or holds a proxy for. The
 * embedded default knows the demo's synthetic people; a deployment would ask the population
 * and proxy registers.
 */
export type PatientDirectory = {
	patientsOf(pid: string, role: 'patient' | 'relative'): PatientId[];
	/** What the relative's proxy allows (the proxy register's scope); none when they hold none. */
	scopesOf(pid: string): ProxyScope[];
};

export const demoDirectory: PatientDirectory = {
	patientsOf(pid, role) {
		const patients: Record<string, PatientId> = { [pal.patient.nationalId]: pal.patientId, [planlessPatient.nationalId]: planlessPatient.patientId };
		const proxies: Record<string, PatientId[]> = { [demoPids.palDaughter]: [pal.patientId], [demoPids.palGrandson]: [pal.patientId] };
		if (role === 'patient') return patients[pid] ? [patients[pid]] : [];
		return proxies[pid] ?? [];
	},
	scopesOf(pid) {
		if (pid === demoPids.palDaughter) return [...PROXY_SCOPES];
		return pid === demoPids.palGrandson ? ['plan'] : [];
	}
};

/** Synthetic national IDs of the demo's people who log in with ID-porten. */
export const demoPids = { pal: pal.patient.nationalId, palDaughter: syntheticNationalId('1980-12-12', 'female'), palGrandson: palGrandson.nationalId, planless: planlessPatient.nationalId } as const;

/** The user an ID token describes, or null when it lacks what the register needs (a role it knows, a name). */
export function userFromClaims(claims: IdClaims, directory: PatientDirectory): User | null {
	const name = str(claims.name);
	const role = str(claims.role);
	if (!name || !role || !ROLES.has(role)) return null;
	const pid = str(claims.pid);
	const patients = role === 'patient' || role === 'relative' ? (pid ? directory.patientsOf(pid, role) : []) : [];
	const user: User = { id: claims.sub, name, role: role as Role, organisation: str(claims.organisation), hpr: str(claims.hpr_number), patients };
	return role === 'relative' ? { ...user, scopes: pid ? directory.scopesOf(pid) : [] } : user;
}

/** The demo users with the claims the embedded identity provider gives them. */
export function demoAccounts(): { user: User; claims: IdClaims }[] {
	const pidOf = (u: User): string | undefined =>
		u.id === palGrandson.id ? demoPids.palGrandson : u.role === 'relative' ? demoPids.palDaughter : u.patients[0] === pal.patientId ? demoPids.pal : u.role === 'patient' ? demoPids.planless : undefined;
	return demoUsers.map((user) => ({
		user,
		claims: { sub: user.id, name: user.name, role: user.role, organisation: user.organisation ?? undefined, hpr_number: user.hpr ?? undefined, pid: pidOf(user) }
	}));
}

/**
 * The clinicians the register knows by HPR number (helsepersonellnummer): who a vendor system's
 * `nhn-user-hpr` header names. The embedded default knows the demo's clinicians; a deployment
 * would ask the HPR register (and HelseID's user directory).
 */
export type ClinicianDirectory = {
	byHpr(hpr: string): User | null;
	/** The clinician with this id at the identity provider (`sub`), for a user-bound token. */
	byId(id: string): User | null;
};

export const demoClinicians: ClinicianDirectory = {
	byHpr: (hpr) => demoUsers.find((u) => u.hpr === hpr && isClinician(u)) ?? null,
	byId: (id) => demoUsers.find((u) => u.id === id && isClinician(u)) ?? null
};
