import { json } from '@sveltejs/kit';
import { demoUsers, isClinician } from '$lib/server/access/users';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };

/**
 * The clinicians the register knows (user id, name, role, organisation), as the public health
 * personnel register lists them: for adding a colleague to a care team, and for a patient
 * choosing whom to block; for logged-in users only. The embedded default knows the demo's; a
 * deployment would look them up in the health personnel register (HPR).
 */
export const GET: RequestHandler = async ({ locals }) => {
	const user = locals.user;
	if (!user) return json({ error: 'not-logged-in' }, { status: 401, headers: noStore });
	const clinicians = demoUsers.filter(isClinician).map((c) => ({ personId: c.id, name: c.name, role: c.role, organisation: c.organisation }));
	return json({ clinicians }, { headers: noStore });
};
