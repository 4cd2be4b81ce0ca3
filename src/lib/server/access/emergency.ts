import { checkNationalId } from '$lib/domain/national-id';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import type { AuditEntry, DocumentStore } from '$lib/server/store';
import { blocks, planByNationalId } from '$lib/server/sync/access';
import { isClinician, type User } from './users';

/** How long emergency access (akutt) lasts once granted. */
export const EMERGENCY_ACCESS_MS = 2 * 60 * 60_000;
/** The shortest reason the register accepts: a few words a reviewer can judge. */
export const MIN_REASON_LENGTH = 10;
const MAX_REASON_LENGTH = 500;

/** What a request for emergency access asks for: the patient's national ID (never in a URL) and why. */
export type EmergencyRequest = { nationalId: string; reason: string };

/** Why emergency access was not given, for the clinician to act on. */
export type EmergencyRefusal =
	| 'not-a-clinician'
	| 'reason-missing'
	| 'national-id-invalid'
	| 'patient-unknown'
	| 'national-id-ambiguous'
	| 'already-on-care-team'
	| 'blocked'
	| 'restricted';

export type EmergencyResult = { ok: true; patientId: PatientId; name: string; until: string } | { ok: false; reason: EmergencyRefusal };

/** Checks a request body from outside: the fields, their types and sizes. */
export function parseEmergencyRequest(body: unknown): EmergencyRequest | null {
	if (!body || typeof body !== 'object') return null;
	const { nationalId, reason } = body as Record<string, unknown>;
	if (typeof nationalId !== 'string' || typeof reason !== 'string' || nationalId.length > 20 || reason.length > MAX_REASON_LENGTH) return null;
	return { nationalId: nationalId.replace(/\s/g, ''), reason: reason.trim() };
}

/**
 * Gives a clinician time-limited emergency access (akutt) to a patient outside their care team,
 * with a stated reason, logged in the patient's access log as such. A block by the patient holds
 * even here, and so does a plan the patient restricted to its care team; a denied attempt is
 * logged too, so the patient sees it. A national ID that two stored plans carry is refused: which
 * is the person's cannot be told, and a decoy must not be opened in their name.
 */
export async function grantEmergencyAccess(store: DocumentStore, user: User, request: EmergencyRequest, now = new Date()): Promise<EmergencyResult> {
	if (!isClinician(user)) return { ok: false, reason: 'not-a-clinician' };
	if (request.reason.length < MIN_REASON_LENGTH) return { ok: false, reason: 'reason-missing' };
	if (checkNationalId(request.nationalId)) return { ok: false, reason: 'national-id-invalid' };
	const found = await planByNationalId(store, request.nationalId);
	if (found.found === 'none') return { ok: false, reason: 'patient-unknown' };
	if (found.found === 'several') {
		// Which plan is the person's cannot be told here: none is opened, and each patient sees the attempt.
		await store.appendAudit(found.patientIds.map((p) => emergencyLine(user, p, now, 'emergency-denied', 'national-id-ambiguous')));
		return { ok: false, reason: 'national-id-ambiguous' };
	}
	return openEmergencyAccess(store, user, found.summary, request.reason, now);
}

/**
 * Emergency access for a patient already found (by national ID on a tablet, by the plan's id
 * through the FHIR API), on the same rules: a block or a restricted plan refuses it, and either
 * outcome is written to the patient's access log.
 */
export async function openEmergencyAccess(store: DocumentStore, user: User, summary: PatientSummary, reason: string, now = new Date()): Promise<EmergencyResult> {
	if (!isClinician(user)) return { ok: false, reason: 'not-a-clinician' };
	if (reason.length < MIN_REASON_LENGTH) return { ok: false, reason: 'reason-missing' };
	const refusal: EmergencyRefusal | null = blocks(summary, user) ? 'blocked' : summary.restricted ? 'restricted' : null;
	if (!refusal && (summary.team ?? []).includes(user.id)) return { ok: false, reason: 'already-on-care-team' };
	if (refusal) {
		await store.appendAudit([emergencyLine(user, summary.patientId, now, 'emergency-denied', refusal)]);
		return { ok: false, reason: refusal };
	}
	const until = new Date(now.getTime() + EMERGENCY_ACCESS_MS).toISOString();
	await store.appendAudit([emergencyLine(user, summary.patientId, now, 'emergency-access', reason, until)]);
	return { ok: true, patientId: summary.patientId, name: summary.name, until };
}

/** The access log line of an emergency access granted (with its end) or denied. */
function emergencyLine(user: User, patientId: PatientId, now: Date, action: 'emergency-access' | 'emergency-denied', detail: string, until?: string): AuditEntry {
	return {
		at: now.toISOString(),
		patientId,
		docId: planDocId(patientId),
		action,
		basis: 'emergency',
		who: { id: user.id, name: user.name, role: user.role, organisation: user.organisation },
		reportedLater: false,
		detail,
		...(until ? { until } : {})
	};
}
