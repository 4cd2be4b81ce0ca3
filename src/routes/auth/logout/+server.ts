import { redirect } from '@sveltejs/kit';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import type { RequestHandler } from './$types';

/** Ends the session on this device. (The app warns first when changes are unsent.) */
export const POST: RequestHandler = ({ cookies }) => {
	cookies.delete(SESSION_COOKIE, { path: '/' });
	redirect(303, '/');
};
