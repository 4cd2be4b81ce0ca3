import { planDocId } from '$lib/domain/ids';
import { checkNationalId } from '$lib/domain/national-id';
import type { DocumentStore } from '$lib/server/store';
import { planByNationalId } from '$lib/server/sync/access';

/** What the plan status call tells a vendor system: whether there is a plan, when it last changed, the privacy flags. */
export type PlanStatus =
	| { hasPlan: false }
	| { hasPlan: true; lastChanged: string | null; privacy: { consent: boolean; restricted: boolean; blockedClinicians: number } };

/** Why the status call gave no answer about the patient. */
export type StatusRefusal = { ok: false; reason: 'national-id-invalid'; detail: string } | { ok: false; reason: 'national-id-ambiguous' };

/**
 * The plan status of the person with this national ID, for the vendor system `clientId`; an
 * answer about a patient is written to their access log (basis `api`). A national ID that two
 * stored plans carry gets no answer: the register cannot tell which is the person's.
 */
export async function planStatus(store: DocumentStore, nationalId: string, clientId: string, now = new Date()): Promise<{ ok: true; status: PlanStatus } | StatusRefusal> {
	const invalid = checkNationalId(nationalId);
	if (invalid) return { ok: false, reason: 'national-id-invalid', detail: invalid };
	const found = await planByNationalId(store, nationalId);
	if (found.found === 'none') return { ok: true, status: { hasPlan: false } };
	if (found.found === 'several') return { ok: false, reason: 'national-id-ambiguous' };
	const { summary } = found;
	await store.appendAudit([
		{
			at: now.toISOString(),
			patientId: summary.patientId,
			docId: planDocId(summary.patientId),
			action: 'read',
			basis: 'api',
			who: { id: clientId, name: `Fagsystem ${clientId}`, role: 'vendor-system', organisation: null },
			reportedLater: false,
			detail: 'status'
		}
	]);
	const privacy = { consent: summary.consent === true, restricted: summary.restricted === true, blockedClinicians: (summary.blocked ?? []).length };
	return { ok: true, status: { hasPlan: true, lastChanged: summary.lastChanged ?? null, privacy } };
}
