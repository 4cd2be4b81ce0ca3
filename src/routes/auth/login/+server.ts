import { redirect } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import { seal } from '$lib/server/auth/session-cookie';
import type { RequestHandler } from './$types';

/**
 * Sends the browser to the identity provider, to come back to the address it is at; what the
 * callback needs is kept in a signed, httpOnly cookie. At an address the login cannot come back
 * to, the browser goes to the app instead, whose login screen says where to open it.
 */
export const GET: RequestHandler = async ({ cookies, request, url }) => {
	const auth = await authRuntime();
	const origin = auth.loginOrigin(request.headers.get('host') ?? undefined);
	if (!origin) redirect(303, '/');
	const { url: to, login } = await auth.startLogin(origin, '/');
	cookies.set('dbep_login', seal({ ...login, exp: Date.now() + 10 * 60_000 }, auth.secret), { path: '/auth', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: 600 });
	redirect(303, to.href);
};
