import { json } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import type { RequestHandler } from './$types';

/**
 * The address a login from this one comes back to (`{ origin }`): the login screen compares it
 * with its own and, when they differ, says where to open the app rather than start a login that
 * cannot finish. No session needed: it names the app's own public address only.
 */
export const GET: RequestHandler = async ({ request }) => {
	const auth = await authRuntime();
	const origin = auth.loginOrigin(request.headers.get('host') ?? undefined) ?? auth.origins.canonical;
	return json({ origin }, { headers: { 'cache-control': 'no-store' } });
};
