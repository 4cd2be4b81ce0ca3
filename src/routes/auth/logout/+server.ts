import { json, redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { authRuntime } from '$lib/server/auth/runtime';
import { fromOwnPage } from '$lib/server/auth/same-origin';
import type { RequestHandler } from './$types';

/**
 * Ends the session for good: the register marks it ended, so a copy of the cookie opens nothing
 * either, and the device forgets it. (The app warns first when changes are unsent.)
 */
export const POST: RequestHandler = async ({ cookies, request, url }) => {
	// Another site must not log the nurse out in the middle of a visit.
	if (!fromOwnPage(request.headers, url.origin)) return json({ error: 'cross-site-request' }, { status: 403 });
	await (await authRuntime()).sessions.end(request.headers.get('cookie') ?? undefined);
	cookies.delete(SESSION_COOKIE, { path: '/' });
	redirect(303, '/');
};
