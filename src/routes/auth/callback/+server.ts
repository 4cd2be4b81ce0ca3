import { error, redirect } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import { SESSION_COOKIE, SESSION_SECONDS, unseal } from '$lib/server/auth/session-cookie';
import type { LoginState } from '$lib/server/auth/relying-party';
import type { RequestHandler } from './$types';

function loginState(value: unknown): LoginState | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	const ok = ['verifier', 'state', 'nonce', 'returnTo', 'redirectUri'].every((k) => typeof v[k] === 'string') && typeof v.exp === 'number' && v.exp > Date.now();
	return ok ? (v as LoginState) : null;
}

/** The provider's redirect back: the code is exchanged, the ID token checked, the login recorded in the register and its token set as the session cookie (the URL's code is used once and not logged). */
export const GET: RequestHandler = async ({ cookies, url }) => {
	const auth = await authRuntime();
	const sealed = cookies.get('dbep_login');
	cookies.delete('dbep_login', { path: '/auth' });
	const login = sealed ? loginState(unseal(sealed, auth.secret)) : null;
	if (!login) error(400, 'Innloggingen er utløpt eller ble startet et annet sted. Prøv igjen.');
	let claims;
	try {
		claims = await auth.rp.finish(url, login);
	} catch {
		error(401, 'Innloggingen kunne ikke bekreftes. Prøv igjen.');
	}
	const session = await auth.sessions.start(claims);
	if (!session) error(403, 'Brukeren har ingen rolle i behandlingsplanen.');
	cookies.set(SESSION_COOKIE, session.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: SESSION_SECONDS });
	redirect(303, login.returnTo.startsWith('/') && !login.returnTo.startsWith('//') ? login.returnTo : '/');
};
