import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiTokenVerifier } from './api-token';

const ISSUER = 'http://localhost:9/oidc';
const AUDIENCE = 'urn:dbep:api';
const url = new URL('http://localhost:9/api/v1/status');
let sign: (claims: Record<string, unknown>, opts?: { key?: CryptoKey; exp?: number; aud?: string }) => Promise<string>;
let verify: ReturnType<typeof apiTokenVerifier>;
let stranger: CryptoKey;

beforeAll(async () => {
	const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
	stranger = (await generateKeyPair('RS256')).privateKey;
	const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
	verify = apiTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: createLocalJWKSet({ keys: [jwk] }) });
	const now = Math.floor(Date.now() / 1000);
	sign = (claims, opts = {}) =>
		new SignJWT(claims)
			.setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })
			.setIssuer(ISSUER)
			.setAudience(opts.aud ?? AUDIENCE)
			.setIssuedAt(now - 60)
			.setExpirationTime(opts.exp ?? now + 300)
			.sign(opts.key ?? privateKey);
});

describe('API access tokens', () => {
	it('accepts a signed, current token for this API with the scope, naming the calling system', async () => {
		const token = await sign({ client_id: 'dbep-demo-ehr', scope: 'dbep.status' });
		expect(await verify(`Bearer ${token}`, url, 'dbep.status')).toEqual({ ok: true, caller: { clientId: 'dbep-demo-ehr', scopes: ['dbep.status'] } });
	});

	it('refuses a missing, expired, forged or wrong-audience token, one without the scope, and any token in the URL', async () => {
		const claims = { client_id: 'dbep-demo-ehr', scope: 'dbep.status' };
		const good = await sign(claims);
		const expired = await sign(claims, { exp: Math.floor(Date.now() / 1000) - 10 });
		const forged = await sign(claims, { key: stranger });
		const tampered = `${good.slice(0, -4)}${good.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
		const elsewhere = await sign(claims, { aud: 'urn:dbep:demo-other-api' });
		const noScope = await sign({ client_id: 'dbep-demo-ehr', scope: 'openid' });
		const error = async (header: string | null, at = url) => {
			const result = await verify(header, at, 'dbep.status');
			return result.ok ? 'accepted' : [result.status, result.error];
		};
		expect(await error(null)).toEqual([401, 'token-missing']);
		expect(await error(`Basic ${good}`)).toEqual([401, 'token-missing']);
		expect(await error(`Bearer ${expired}`)).toEqual([401, 'token-expired']);
		expect(await error(`Bearer ${forged}`)).toEqual([401, 'token-invalid']);
		expect(await error(`Bearer ${tampered}`)).toEqual([401, 'token-invalid']);
		expect(await error(`Bearer ${elsewhere}`)).toEqual([401, 'wrong-audience']);
		expect(await error(`Bearer ${noScope}`)).toEqual([403, 'scope-missing']);
		expect(await error(`Bearer ${good}`, new URL(`${url.href}?access_token=${good}`))).toEqual([400, 'token-in-url']);
	});
});
