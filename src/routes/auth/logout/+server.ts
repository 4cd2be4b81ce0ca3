import { json, redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { fromOwnPage } from '$lib/server/auth/same-origin';
import type { RequestHandler } from './$types';

/** Ends the session on this device. (The app warns first when changes are unsent.) */
export const POST: RequestHandler = ({ cookies, request, url }) => {
	// Another site must not log the nurse out in the middle of a visit.
	if (!fromOwnPage(request.headers, url.origin)) return json({ error: 'cross-site-request' }, { status: 403 });
	cookies.delete(SESSION_COOKIE, { path: '/' });
	redirect(303, '/');
};
