import type { DocumentId, PatientId } from '$lib/domain/ids';
import { isClinician } from '$lib/server/access/users';
import type { AccessBasis, AuditAction, AuditEntry, ProvenanceRecord } from '$lib/server/store';
import type { Principal } from './access';

/** The access basis of a principal for a patient: care team, emergency access, the patient, a proxy, or a device that has not logged in. */
export function basisOf(principal: Principal, patientId: PatientId): AccessBasis {
	const { user } = principal;
	if (!user) return 'unauthenticated';
	if (principal.emergency.has(patientId)) return 'emergency';
	if (isClinician(user)) return 'care-team';
	return user.role === 'patient' ? 'patient' : 'proxy';
}

/** One access log line for what `principal` did with a document now (or at `at`, for a read a device reports later). */
export function auditLine(principal: Principal, doc: { docId: DocumentId; patientId: PatientId }, action: AuditAction, detail = '', at?: string): AuditEntry {
	const { user } = principal;
	return {
		at: at ?? new Date().toISOString(),
		patientId: doc.patientId,
		docId: doc.docId,
		action,
		basis: basisOf(principal, doc.patientId),
		who: user ? { id: user.id, name: user.name, role: user.role, organisation: user.organisation } : { id: null, name: `Enhet ${principal.peerId.slice(0, 8)}`, role: 'device', organisation: null },
		reportedLater: at !== undefined,
		detail: principal.via ? [detail, `via ${principal.via}`].filter(Boolean).join('; ') : detail
	};
}

/**
 * The provenance of changes `principal` brings to a document now: who (with the HPR number, never
 * the national ID), the session and device they came from, on what basis, and the changes' hashes.
 */
export function provenanceOf(principal: Principal, doc: { docId: DocumentId; patientId: PatientId }, session: string, changes: string[]): ProvenanceRecord {
	const { who } = auditLine(principal, doc, 'change');
	return {
		at: new Date().toISOString(),
		patientId: doc.patientId,
		docId: doc.docId,
		who: { ...who, hpr: principal.user?.hpr ?? null },
		basis: basisOf(principal, doc.patientId),
		session,
		peerId: principal.peerId,
		changes
	};
}
