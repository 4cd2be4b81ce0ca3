import { json } from '@sveltejs/kit';
import { grantEmergencyAccess, parseEmergencyRequest } from '$lib/server/access/emergency';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };
const STATUS = { 'not-a-clinician': 403, 'reason-missing': 400, 'national-id-invalid': 400, 'patient-unknown': 404, 'national-id-ambiguous': 409, 'already-on-care-team': 409, blocked: 403, restricted: 403 } as const;

/**
 * Emergency access (akutt) to a patient outside the clinician's care team: the national ID and
 * the reason travel in the body (never in a URL, which gets logged). On success the clinician's
 * device receives the patient's plan at its next sync, until the access ends.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
	const user = locals.user;
	if (!user) return json({ error: 'not-logged-in' }, { status: 401, headers: noStore });
	const body = parseEmergencyRequest(await request.json().catch(() => null));
	if (!body) return json({ error: 'request-invalid' }, { status: 400, headers: noStore });
	const result = await grantEmergencyAccess((await syncRuntime()).store, user, body);
	if (!result.ok) return json({ error: result.reason }, { status: STATUS[result.reason], headers: noStore });
	return json(result, { headers: noStore });
};
