import { json } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import { STATUS_SCOPE } from '$lib/server/auth/provider';
import { planStatus } from '$lib/server/access/plan-status';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };

/**
 * The plan status call for other systems (an EHR): whether the patient has a plan, when it last
 * changed, and the privacy flags, found by national ID in the body (never in the URL). Needs a
 * bearer access token from the issuer for this API's audience with the `dbep.status` scope; each
 * answer about a patient is written to their access log (`planStatus`). A national ID two stored
 * plans carry is refused with 409.
 */
export const POST: RequestHandler = async ({ request, url }) => {
	const auth = await (await authRuntime()).apiCaller(request.headers.get('authorization'), url, STATUS_SCOPE);
	if (!auth.ok) return json({ error: auth.error }, { status: auth.status, headers: { ...noStore, 'www-authenticate': `Bearer error="${auth.status === 403 ? 'insufficient_scope' : 'invalid_token'}"` } });
	const body = (await request.json().catch(() => null)) as { nationalId?: unknown } | null;
	const nationalId = typeof body?.nationalId === 'string' ? body.nationalId : '';
	const result = await planStatus((await syncRuntime()).store, nationalId, auth.caller.clientId);
	if (result.ok) return json(result.status, { headers: noStore });
	if (result.reason === 'national-id-invalid') return json({ error: result.reason, detail: result.detail }, { status: 400, headers: noStore });
	return json({ error: result.reason, detail: 'the register holds more than one plan for this national ID and cannot tell which is the person’s' }, { status: 409, headers: noStore });
};
