import { json } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import type { RequestHandler } from './$types';

/**
 * The logged-in user (name, role, organisation, HPR number) and when the session ends
 * (`expiresAt`, ISO time: the device keeps working offline until then); 401 without a valid session.
 */
export const GET: RequestHandler = async ({ request }) => {
	const session = await (await authRuntime()).sessionOf(request.headers.get('cookie') ?? undefined);
	if (!session || session === 'invalid') return json({ error: 'not-logged-in' }, { status: 401, headers: { 'cache-control': 'no-store' } });
	const { user, exp } = session;
	return json(
		{ id: user.id, name: user.name, role: user.role, organisation: user.organisation, hpr: user.hpr, patients: user.patients, ...(user.scopes ? { scopes: user.scopes } : {}), expiresAt: new Date(exp * 1000).toISOString() },
		{ headers: { 'cache-control': 'no-store' } }
	);
};
