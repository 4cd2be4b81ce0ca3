import { json } from '@sveltejs/kit';
import type { PatientId } from '$lib/domain/ids';
import { allows } from '$lib/server/access/users';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };

/**
 * The patient's access log (innsynslogg), newest first: for the patient and their proxies only.
 * Read-only: the log has no API that changes it.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
	const user = locals.user;
	if (!user) return json({ error: 'not-logged-in', message: 'Logg inn for å se innsynsloggen.' }, { status: 401, headers: noStore });
	const patientId = params.patient as PatientId;
	if (!user.patients.includes(patientId) || !allows(user, 'access-log')) return json({ error: 'forbidden', message: 'Bare pasienten og den som har fullmakt, kan se innsynsloggen.' }, { status: 403, headers: noStore });
	const entries = await (await syncRuntime()).store.audit(patientId);
	return json({ patientId, entries }, { headers: noStore });
};
