import { redirect } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import { seal } from '$lib/server/auth/session-cookie';
import type { RequestHandler } from './$types';

/** Sends the browser to the identity provider; what the callback needs is kept in a signed, httpOnly cookie. */
export const GET: RequestHandler = async ({ cookies, url }) => {
	const auth = await authRuntime();
	const { url: to, login } = await auth.rp.start('/');
	cookies.set('dbep_login', seal({ ...login, exp: Date.now() + 10 * 60_000 }, auth.secret), { path: '/auth', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 600 });
	redirect(303, to.href);
};
