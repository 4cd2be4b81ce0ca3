import type { DocumentRef, PatientId } from '$lib/domain/ids';
import { isClinician, type User } from '$lib/server/access/users';
import type { DocHeads, DocumentStore } from '$lib/server/store';

/**
 * Who is on the other end of a session: the device's id, the user the transport authenticated,
 * and the patients that user may see, decided when the device says hello (so a change of care
 * team takes effect at its next sync). `user: null` is a transport that does not authenticate
 * (the embedded demo until its login lands): it sees every patient.
 */
export type Principal = { peerId: string; user: User | null; patients: ReadonlySet<PatientId> | 'all' };

/**
 * The patients a user needs to know about: a clinician, those whose plan names them on the care
 * team (an active member with their user id); a patient, themself; a proxy, those they hold a
 * proxy for.
 */
export async function patientsOf(store: DocumentStore, user: User): Promise<PatientId[]> {
	if (!isClinician(user)) return [...user.patients];
	return (await store.summaries()).filter((s) => (s.team ?? []).includes(user.id)).map((s) => s.patientId);
}

/** The principal of a device saying hello, with the patients its user may see now. */
export async function principalFor(store: DocumentStore, peerId: string, user: User | null): Promise<Principal> {
	return { peerId, user, patients: user ? new Set(await patientsOf(store, user)) : 'all' };
}

/**
 * The documents a principal may hold (of the given patients, when named), with their heads: the
 * manifest a device is compared with. Documents it held before and is no longer sent are purged
 * by the device.
 */
export function accessibleDocs(store: DocumentStore, principal: Principal, patientIds?: readonly PatientId[]): Promise<DocHeads[]> {
	const { patients } = principal;
	if (patients === 'all') return store.manifest(patientIds);
	const allowed = (patientIds ?? [...patients]).filter((p) => patients.has(p));
	return allowed.length ? store.manifest(allowed) : Promise.resolve([]);
}

/** Whether a principal may read (and be sent) one document; agrees with `accessibleDocs`. */
export function mayRead(principal: Principal, ref: DocumentRef): boolean {
	return principal.patients === 'all' || principal.patients.has(ref.patientId);
}

/** Whether a principal may change (or create) one document at all; what each change touches is checked by the role rules. */
export function mayChange(principal: Principal, ref: DocumentRef): boolean {
	return mayRead(principal, ref);
}
