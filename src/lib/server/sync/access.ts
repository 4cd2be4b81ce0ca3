import type { DocumentRef, PatientId } from '$lib/domain/ids';
import type { DocHeads, DocumentStore } from '$lib/server/store';

/** Who is on the other end of a session. Today only the device's self-chosen id; issue #4 adds the user. */
export type Principal = { peerId: string };

/**
 * The documents a principal may hold (of the given patients, when named), with their heads: the
 * manifest a device is compared with. The one place where read access is decided for many
 * documents; today everyone may read everything (issue #4).
 */
export function accessibleDocs(store: DocumentStore, principal: Principal, patientIds?: readonly PatientId[]): Promise<DocHeads[]> {
	void principal;
	return store.manifest(patientIds);
}

/** Whether a principal may read (and be sent) one document; must agree with `accessibleDocs`. */
export function mayRead(principal: Principal, ref: DocumentRef): boolean {
	void principal;
	void ref;
	return true;
}

/** Whether a principal may change (or create) one document; rules per role come with issue #4. */
export function mayChange(principal: Principal, ref: DocumentRef): boolean {
	void principal;
	void ref;
	return true;
}
