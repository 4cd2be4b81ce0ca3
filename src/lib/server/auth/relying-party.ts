import * as client from 'openid-client';
import type { IdClaims } from './directory';

/**
 * What the login must remember between leaving for the provider and coming back (in an httpOnly
 * cookie), including the redirect URI it asked for: the token request must name the same one.
 */
export type LoginState = { verifier: string; state: string; nonce: string; returnTo: string; redirectUri: string };

export type RelyingParty = {
	/** Where to send the browser to log in (coming back to `redirectUri`), and what to remember until it comes back. */
	start(returnTo: string, redirectUri: string): Promise<{ url: URL; login: LoginState }>;
	/** The verified ID token's claims for the provider's redirect back (`callbackUrl`: its query holds the code). */
	finish(callbackUrl: URL, login: LoginState): Promise<IdClaims>;
};

/**
 * The app as an OpenID Connect client (openid-client): authorization code with PKCE, state and
 * nonce; the ID token's signature, issuer, audience, expiry and nonce are checked by the library.
 * Discovery runs at the first login and is retried after a failure.
 */
export function relyingParty(opts: { issuer: string; clientId: string; clientSecret?: string | undefined }): RelyingParty {
	let config: Promise<client.Configuration> | undefined;
	const insecure = new URL(opts.issuer).protocol === 'http:';
	const discover = () =>
		(config ??= client
			.discovery(new URL(opts.issuer), opts.clientId, opts.clientSecret, opts.clientSecret ? client.ClientSecretPost(opts.clientSecret) : client.None(), insecure ? { execute: [client.allowInsecureRequests] } : undefined)
			.catch((error: unknown) => {
				config = undefined;
				throw error;
			}));
	return {
		async start(returnTo, redirectUri) {
			const login: LoginState = { verifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce(), returnTo, redirectUri };
			const url = client.buildAuthorizationUrl(await discover(), {
				redirect_uri: redirectUri,
				scope: 'openid profile dbep',
				code_challenge: await client.calculatePKCECodeChallenge(login.verifier),
				code_challenge_method: 'S256',
				state: login.state,
				nonce: login.nonce,
				// A shared tablet: the next person to log in must not inherit the last one's session at the provider.
				prompt: 'login'
			});
			return { url, login };
		},
		async finish(callbackUrl, login) {
			// openid-client takes the token request's redirect_uri from this URL: the one the login asked for, whatever address the request came in at.
			const current = new URL(login.redirectUri);
			current.search = callbackUrl.search;
			const tokens = await client.authorizationCodeGrant(await discover(), current, { pkceCodeVerifier: login.verifier, expectedState: login.state, expectedNonce: login.nonce, idTokenExpected: true });
			const claims = tokens.claims();
			if (!claims) throw new Error('no ID token');
			return claims as IdClaims;
		}
	};
}
