import { json } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import type { RequestHandler } from './$types';

/** The logged-in user (name, role, organisation, HPR number) and when the session ends; 401 without a valid session. */
export const GET: RequestHandler = async ({ request }) => {
	const user = (await authRuntime()).userOf(request.headers.get('cookie') ?? undefined);
	if (!user || user === 'invalid') return json({ error: 'not-logged-in' }, { status: 401, headers: { 'cache-control': 'no-store' } });
	return json({ id: user.id, name: user.name, role: user.role, organisation: user.organisation, hpr: user.hpr, patients: user.patients, ...(user.scopes ? { scopes: user.scopes } : {}) }, { headers: { 'cache-control': 'no-store' } });
};
