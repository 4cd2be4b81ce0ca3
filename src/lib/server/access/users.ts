import type { PatientId } from '$lib/domain/ids';
import { actorOf } from '$lib/domain/person';
import { CLINICAL_ROLES, type Actor, type Role } from '$lib/domain/plan';
import { clinicians, demoPatients, pal, relatives } from '$lib/fixtures';
import { syntheticNationalId } from '$lib/fixtures/support';

/**
 * What a proxy (fullmakt) lets a relative do for the patient: read the plan, see the visit
 * records, write the patient's parts, read the access log.
 */
export type ProxyScope = 'plan' | 'visits' | 'write' | 'access-log';
export const PROXY_SCOPES: readonly ProxyScope[] = ['plan', 'visits', 'write', 'access-log'];

/** A logged-in person, as the identity provider vouches for them. */
export type User = {
	/** Subject at the identity provider (OIDC `sub`): the id care teams name members by. */
	id: string;
	name: string;
	role: Role;
	organisation: string | null;
	/** Helsepersonellnummer, for clinicians. */
	hpr: string | null;
	/** The patients this user is (a patient: only themself) or holds a proxy for (a relative). */
	patients: PatientId[];
	/** For a relative: what their proxy allows (absent for everyone else: their role decides). */
	scopes?: ProxyScope[];
};

/** Whether the user may do `scope` for their patients: always for non-relatives, per the proxy for a relative. */
export function allows(user: Pick<User, 'role' | 'scopes'>, scope: ProxyScope): boolean {
	return user.role !== 'relative' || (user.scopes ?? []).includes(scope);
}

/** Pål's grandson, whose proxy lets him read the plan only (synthetic). */
export const palGrandson = { id: 'a2e1d5fa-8462-4d3f-8ab6-7c0ecf415d66', name: 'Jonas Storvik', nationalId: syntheticNationalId('2001-04-23', 'male') };

/** True for the roles that work in care teams and own the treatment plan. */
export function isClinician(user: Pick<User, 'role'>): boolean {
	return CLINICAL_ROLES.has(user.role);
}

/** How a change made by the user is stamped: with their id, and their HPR number if a clinician. */
export function personRefOf(user: User): Actor {
	return actorOf(user);
}

/** A patient of the demo who logs in but has no plan yet (synthetic). */
export const planlessPatient = {
	patientId: 'b7e4c2d1-9a35-4f60-8c1e-2d3f4a5b6c70' as PatientId,
	name: 'Liv Aasen',
	birthDate: '1948-09-12',
	municipality: 'Rana',
	nationalId: syntheticNationalId('1948-09-12', 'female')
};

/** A person as the population register knows them: who a new plan is about. */
export type Person = { patientId: PatientId; name: string; birthDate: string; municipality: string; nationalId: string };

/**
 * The people the embedded register can make plans for, by national ID: the demo's patients and
 * one without a plan. A deployment would ask the national population register (Folkeregisteret).
 */
export function demoPerson(nationalId: string): Person | null {
	if (nationalId === planlessPatient.nationalId) return { ...planlessPatient };
	const known = demoPatients.find((p) => p.patient.nationalId === nationalId);
	return known ? { patientId: known.patientId, name: known.patient.name, birthDate: known.patient.birthDate, municipality: known.patient.municipality, nationalId } : null;
}

/** The demo's users, who log in through the embedded identity provider. All synthetic. */
export const demoUsers: readonly User[] = Object.freeze([
	...Object.values(clinicians).map((c): User => ({ id: c.id, name: c.name, role: c.role, organisation: c.organisation, hpr: c.hpr, patients: [] })),
	{ id: pal.person.id, name: pal.person.name, role: 'patient', organisation: null, hpr: null, patients: [pal.patientId] },
	{ id: relatives.palDaughter.id, name: relatives.palDaughter.name, role: 'relative', organisation: null, hpr: null, patients: [pal.patientId], scopes: [...PROXY_SCOPES] },
	{ id: palGrandson.id, name: palGrandson.name, role: 'relative', organisation: null, hpr: null, patients: [pal.patientId], scopes: ['plan'] },
	{ id: 'd2b2a1f3-6d4c-4e8b-9fa0-1b2c3d4e5f62', name: planlessPatient.name, role: 'patient', organisation: null, hpr: null, patients: [planlessPatient.patientId] }
]);
