import { json } from '@sveltejs/kit';
import { checkNationalId } from '$lib/domain/national-id';
import { demoPerson, isClinician } from '$lib/server/access/users';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };

/**
 * Finds a person by national ID (in the body, never in a URL) for a clinician about to create
 * their plan: name, birth date, municipality, and whether the register already holds a plan.
 */
export const POST: RequestHandler = async ({ locals, request }) => {
	const user = locals.user;
	if (!user) return json({ error: 'not-logged-in' }, { status: 401, headers: noStore });
	if (!isClinician(user)) return json({ error: 'not-a-clinician' }, { status: 403, headers: noStore });
	const body = (await request.json().catch(() => null)) as { nationalId?: unknown } | null;
	const nationalId = typeof body?.nationalId === 'string' ? body.nationalId.replace(/\s/g, '') : '';
	if (checkNationalId(nationalId)) return json({ error: 'national-id-invalid' }, { status: 400, headers: noStore });
	const person = demoPerson(nationalId);
	if (!person) return json({ error: 'person-unknown' }, { status: 404, headers: noStore });
	const hasPlan = (await (await syncRuntime()).store.manifest([person.patientId])).length > 0;
	return json({ person, hasPlan }, { headers: noStore });
};
