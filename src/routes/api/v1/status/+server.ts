import { json } from '@sveltejs/kit';
import { planDocId } from '$lib/domain/ids';
import { checkNationalId } from '$lib/domain/national-id';
import { authRuntime } from '$lib/server/auth/runtime';
import { STATUS_SCOPE } from '$lib/server/auth/provider';
import { summaryByNationalId } from '$lib/server/sync/access';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };

/**
 * The plan status call for other systems (an EHR): whether the patient has a plan, when it last
 * changed, and the privacy flags, found by national ID in the body (never in the URL). Needs a
 * bearer access token from the issuer for this API's audience with the `dbep.status` scope; each
 * answer about a patient is written to their access log.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	const auth = await (await authRuntime()).apiCaller(request.headers.get('authorization'), url, STATUS_SCOPE);
	if (!auth.ok) return json({ error: auth.error }, { status: auth.status, headers: { ...noStore, 'www-authenticate': `Bearer error="${auth.status === 403 ? 'insufficient_scope' : 'invalid_token'}"` } });
	const body = (await request.json().catch(() => null)) as { nationalId?: unknown } | null;
	const nationalId = typeof body?.nationalId === 'string' ? body.nationalId : '';
	const invalid = checkNationalId(nationalId);
	if (invalid) return json({ error: 'national-id-invalid', detail: invalid }, { status: 400, headers: noStore });
	const { store } = await syncRuntime();
	const summary = await summaryByNationalId(store, nationalId);
	if (!summary) return json({ hasPlan: false }, { headers: noStore });
	const lastChanged = summary.lastChanged ?? null;
	await store.appendAudit([
		{
			at: new Date().toISOString(),
			patientId: summary.patientId,
			docId: planDocId(summary.patientId),
			action: 'read',
			basis: 'api',
			who: { id: auth.caller.clientId, name: `Fagsystem ${auth.caller.clientId}`, role: 'vendor-system', organisation: null },
			reportedLater: false,
			detail: 'status'
		}
	]);
	return json({ hasPlan: true, lastChanged, privacy: { consent: summary.consent === true, restricted: summary.restricted === true, blockedClinicians: (summary.blocked ?? []).length } }, { headers: noStore });
};
