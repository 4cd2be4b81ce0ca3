import { error, redirect } from '@sveltejs/kit';
import { authRuntime } from '$lib/server/auth/runtime';
import { sealSession, SESSION_COOKIE, SESSION_SECONDS, unseal } from '$lib/server/auth/session-cookie';
import type { LoginState } from '$lib/server/auth/relying-party';
import type { RequestHandler } from './$types';

function loginState(value: unknown): LoginState | null {
	if (!value || typeof value !== 'object') return null;
	const v = value as Record<string, unknown>;
	const ok = ['verifier', 'state', 'nonce', 'returnTo', 'redirectUri'].every((k) => typeof v[k] === 'string') && typeof v.exp === 'number' && v.exp > Date.now();
	return ok ? (v as LoginState) : null;
}

/** The provider's redirect back: the code is exchanged, the ID token checked, and a session cookie set (the URL's code is used once and not logged). */
export const GET: RequestHandler = async ({ cookies, url }) => {
	const auth = await authRuntime();
	const sealed = cookies.get('dbep_login');
	cookies.delete('dbep_login', { path: '/auth' });
	const login = sealed ? loginState(unseal(sealed, auth.secret)) : null;
	if (!login) error(400, 'Innloggingen er utløpt eller ble startet et annet sted. Prøv igjen.');
	let user;
	try {
		user = auth.userFromClaims(await auth.rp.finish(url, login));
	} catch {
		error(401, 'Innloggingen kunne ikke bekreftes. Prøv igjen.');
	}
	if (!user) error(403, 'Brukeren har ingen rolle i behandlingsplanen.');
	const exp = Math.floor(Date.now() / 1000) + SESSION_SECONDS;
	cookies.set(SESSION_COOKIE, sealSession(user, exp, auth.secret), { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: SESSION_SECONDS });
	redirect(303, login.returnTo.startsWith('/') && !login.returnTo.startsWith('//') ? login.returnTo : '/');
};
