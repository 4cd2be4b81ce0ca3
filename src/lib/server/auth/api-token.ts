import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * The system calling the API, as its access token names it, and with a user-bound token (one the
 * system got by logging its user in) that user's id at the issuer: `user` is absent for a token
 * the system got for itself (client credentials, whose subject is the client).
 */
export type ApiCaller = { clientId: string; scopes: string[]; user?: string };

/** Why a request to the API was refused, for the calling system to act on. */
export type ApiRefusal = 'token-missing' | 'token-in-url' | 'token-invalid' | 'token-expired' | 'wrong-audience' | 'scope-missing';

export type ApiAuth = { ok: true; caller: ApiCaller } | { ok: false; status: 400 | 401 | 403; error: ApiRefusal };

const refuse = (status: 400 | 401 | 403, error: ApiRefusal): ApiAuth => ({ ok: false, status, error });

/**
 * Checks the bearer access token of an API request: a JWT signed by the issuer's keys, for this
 * API's audience, not expired, with the scope the endpoint needs. A token in the URL is refused
 * outright (URLs end up in logs); the token itself is never logged or returned.
 */
export function apiTokenVerifier(opts: { issuer: string; audience: string; keys: JWTVerifyGetKey }) {
	return async (authorization: string | null, url: URL, scope: string): Promise<ApiAuth> => {
		if (url.searchParams.has('access_token')) return refuse(400, 'token-in-url');
		const match = /^Bearer ([A-Za-z0-9_.-]{1,8192})$/.exec(authorization ?? '');
		if (!match) return refuse(401, 'token-missing');
		try {
			const { payload } = await jwtVerify(match[1]!, opts.keys, { issuer: opts.issuer, audience: opts.audience, algorithms: ['RS256', 'PS256', 'ES256'], requiredClaims: ['exp'] });
			const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
			if (!scopes.includes(scope)) return refuse(403, 'scope-missing');
			const clientId = typeof payload.client_id === 'string' ? payload.client_id : (payload.sub ?? 'unknown');
			const user = typeof payload.sub === 'string' && payload.sub !== clientId ? payload.sub : undefined;
			return { ok: true, caller: { clientId, scopes, ...(user ? { user } : {}) } };
		} catch (error) {
			if (error instanceof errors.JWTExpired) return refuse(401, 'token-expired');
			if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud') return refuse(401, 'wrong-audience');
			return refuse(401, 'token-invalid');
		}
	};
}

/** The issuer's signing keys, fetched from its discovery document's jwks_uri when first needed. */
export function issuerKeys(issuer: string): JWTVerifyGetKey {
	let keys: Promise<JWTVerifyGetKey> | null = null;
	const load = async () => {
		const response = await fetch(`${issuer}/.well-known/openid-configuration`);
		const { jwks_uri: uri } = (await response.json()) as { jwks_uri?: string };
		if (!uri) throw new Error('issuer has no jwks_uri');
		return createRemoteJWKSet(new URL(uri));
	};
	return async (header, token) => {
		keys ??= load().catch((error: unknown) => {
			keys = null;
			throw error;
		});
		return (await keys)(header, token);
	};
}
