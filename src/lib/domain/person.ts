import { CLINICAL_ROLES, type Actor, type PersonRef } from './plan';

/** A "who" as it arrives from the network or storage: the fields of a PersonRef, not yet trusted. */
export type PersonStamp = { readonly [K in keyof PersonRef]?: unknown };

const hasId = (stamp: PersonStamp): stamp is PersonStamp & { id: string } => typeof stamp.id === 'string' && stamp.id !== '';

/**
 * Whether two stamps name the same person. When both carry an id (the identity provider's
 * subject), the ids decide alone: two people may share a name. A stamp written before ids
 * existed falls back to name, role and organisation, which must all agree.
 */
export function samePerson(a: PersonStamp | null | undefined, b: PersonStamp | null | undefined): boolean {
	if (!a || !b) return false;
	if (hasId(a) && hasId(b)) return a.id === b.id;
	if (typeof a.name !== 'string' || typeof a.role !== 'string') return false;
	return a.name === b.name && a.role === b.role && (a.organisation ?? null) === (b.organisation ?? null);
}

/** Whether a stamp written now names the person with id `id`: by id only, so a stamp without one never does. */
export function stampedBy(stamp: PersonStamp | null | undefined, id: string): boolean {
	return !!stamp && hasId(stamp) && stamp.id === id;
}

/** What a logged-in person is called by, as the identity provider vouches. */
type Identity = { id: string; name: string; role: PersonRef['role']; organisation: string | null; hpr?: string | null };

/**
 * How a change by `person` is stamped: id, name, role, organisation, and the HPR number on a
 * clinician's stamps only (a patient's or relative's has none; the national ID is never in one).
 */
export function actorOf(person: Identity): Actor {
	const actor: Actor = { id: person.id, name: person.name, role: person.role, organisation: person.organisation };
	if (CLINICAL_ROLES.has(person.role)) actor.hpr = person.hpr ?? null;
	return actor;
}
