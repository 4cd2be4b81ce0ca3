import type { PersonRef } from './plan';

/** A "who" as it arrives from the network or storage: the fields of a PersonRef, not yet trusted. */
export type PersonStamp = { readonly [K in keyof PersonRef]?: unknown };

/**
 * Whether two stamps name the same person. People have no stable id yet, so name, role and
 * organisation must all agree; this is the one place to change when ids arrive.
 */
export function samePerson(a: PersonStamp | null | undefined, b: PersonStamp | null | undefined): boolean {
	if (!a || !b || typeof a.name !== 'string' || typeof a.role !== 'string') return false;
	return a.name === b.name && a.role === b.role && (a.organisation ?? null) === (b.organisation ?? null);
}
