import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { IdClaims } from './directory';

/** A user the embedded provider can log in, and the label its login page shows. */
export type DemoAccount = { claims: IdClaims; label: string };

export type EmbeddedProvider = {
	issuer: string;
	/** Handles /oidc/* and /interaction/*; false for any other request. */
	handle(req: IncomingMessage, res: ServerResponse): boolean;
};

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res: ServerResponse, title: string, body: string, status = 200): void {
	res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'" });
	res.end(`<!doctype html><html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1e2b3c;line-height:1.5}
button{display:block;width:100%;min-height:3rem;margin:.5rem 0;padding:.5rem 1rem;font-size:1rem;text-align:left;border:2px solid #1e5b8c;border-radius:.5rem;background:#fff;color:#123}
button:focus-visible{outline:3px solid #b3541e;outline-offset:2px}h1{font-size:1.5rem}small{display:block;color:#3d4b5c}</style></head>
<body><main>${body}</main></body></html>`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const c of req) {
		size += (c as Buffer).length;
		if (size > 4096) throw new Error('form too large');
		chunks.push(c as Buffer);
	}
	return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID Connect provider (oidc-provider) standing in for HelseID and ID-porten in the
 * embedded default: it logs in the demo's synthetic users (a login page with one button each,
 * no password) and issues ID tokens with their name, role, organisation, HPR number or national
 * ID. Keys are made at start; its sessions live in memory. Pointing the app at another issuer
 * (OIDC_ISSUER) leaves this unused.
 */
/** The register's API as a resource server: access tokens for it carry this audience. */
export const API_AUDIENCE = 'urn:dbep:api';
/** Another resource server the provider knows, so a token for someone else's API can be shown to be refused. */
export const OTHER_AUDIENCE = 'urn:dbep:demo-other-api';
/** The scope a vendor system needs to ask the API for a patient's plan status. */
export const STATUS_SCOPE = 'dbep.status';
/** The scope a vendor system needs to read plans through the FHIR API (/fhir). */
export const FHIR_READ_SCOPE = 'dbep.fhir.read';
/** The scope a vendor system needs to write plans through the FHIR API. */
export const FHIR_WRITE_SCOPE = 'dbep.fhir.write';
/** Every scope of the register's API, which a vendor system (an `ApiClient`) may be given. */
export const API_SCOPES = [STATUS_SCOPE, FHIR_READ_SCOPE, FHIR_WRITE_SCOPE] as const;

/**
 * A demo vendor system (an EHR) that calls the register's API with client credentials, and the
 * API scopes it may get (all when not named). With `redirectUris` it may also log its user in
 * (authorization code) and get a user-bound token: the token's subject is then that clinician.
 */
export type ApiClient = { clientId: string; clientSecret: string; scopes?: readonly (typeof API_SCOPES)[number][]; redirectUris?: readonly string[] };

/**
 * `origin` is the issuer's; `appOrigins` every origin the app is served at, each of which the app
 * may name in its redirect URI (the browser goes through the provider at the same address).
 */
export async function createEmbeddedProvider(opts: { origin: string; appOrigins: readonly string[]; clientId: string; accounts: readonly DemoAccount[]; apiClients?: readonly ApiClient[] }): Promise<EmbeddedProvider> {
	const issuer = `${opts.origin}/oidc`;
	const { privateKey } = await generateKeyPair('RS256', { extractable: true });
	const jwk = await exportJWK(privateKey);
	jwk.kid = await calculateJwkThumbprint(jwk);
	jwk.alg = 'RS256';
	jwk.use = 'sig';
	const accounts = new Map(opts.accounts.map((a) => [a.claims.sub, a]));
	const apiScopes = new Map((opts.apiClients ?? []).map((c) => [c.clientId, (c.scopes ?? API_SCOPES).join(' ')]));
	const configuration: Configuration = {
		jwks: { keys: [jwk] },
		cookies: { keys: [randomBytes(32).toString('base64url')] },
		clients: [
			{ client_id: opts.clientId, token_endpoint_auth_method: 'none', redirect_uris: opts.appOrigins.map((o) => `${o}/auth/callback`), post_logout_redirect_uris: opts.appOrigins.map((o) => `${o}/`), grant_types: ['authorization_code'], response_types: ['code'] },
			...(opts.apiClients ?? []).map((c): ClientMetadata => {
				const login = (c.redirectUris ?? []).length > 0;
				return { client_id: c.clientId, client_secret: c.clientSecret, grant_types: login ? ['client_credentials', 'authorization_code'] : ['client_credentials'], response_types: login ? ['code'] : [], redirect_uris: [...(c.redirectUris ?? [])], token_endpoint_auth_method: 'client_secret_basic' as const };
			})
		],
		pkce: { required: () => true },
		scopes: ['openid', 'profile', 'dbep'],
		claims: { profile: ['name'], dbep: ['role', 'organisation', 'hpr_number', 'pid'] },
		conformIdTokenClaims: false,
		findAccount: (_ctx, sub) => {
			const account = accounts.get(sub);
			return account ? { accountId: sub, claims: () => ({ ...account.claims, sub }) } : undefined;
		},
		interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
		features: {
			devInteractions: { enabled: false },
			rpInitiatedLogout: { enabled: false },
			// Vendor systems get short-lived JWT access tokens for the register's API, audience-bound.
			clientCredentials: { enabled: true },
			resourceIndicators: {
				enabled: true,
				defaultResource: () => API_AUDIENCE,
				// A token carries only the scopes the client asked for out of these: a vendor system's
				// own, the status call's for anyone else (as before the FHIR API).
				getResourceServerInfo: (_ctx, resource, client) => {
					if (resource !== API_AUDIENCE && resource !== OTHER_AUDIENCE) throw new errors.InvalidTarget();
					return { scope: apiScopes.get(client.clientId) ?? STATUS_SCOPE, audience: resource, accessTokenTTL: 300, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
				}
			}
		},
		// The app is the provider's only (first-party) client: no consent page.
		async loadExistingGrant(ctx: KoaContextWithOIDC) {
			const { client, session } = ctx.oidc;
			if (!client || !session?.accountId) return undefined;
			const existing = session.grantIdFor(client.clientId);
			const found = existing ? await ctx.oidc.provider.Grant.find(existing) : undefined;
			// A vendor system logging its user in asks for the API's scopes too: given as its client allows.
			const allowed = apiScopes.get(client.clientId)?.split(' ') ?? [];
			const resource = ctx.oidc.params?.resource;
			const apiScopesAsked = resource === API_AUDIENCE ? [...ctx.oidc.requestParamScopes].filter((s) => allowed.includes(s)) : [];
			if (found && !apiScopesAsked.length) return found;
			const grant = found ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
			grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
			if (apiScopesAsked.length) grant.addResourceScope(API_AUDIENCE, apiScopesAsked.join(' '));
			await grant.save();
			return grant;
		},
		ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
		renderError(ctx, out) {
			ctx.type = 'html';
			ctx.body = `<!doctype html><html lang="nb"><title>Innlogging feilet</title><main><h1>Innlogging feilet</h1><p>${esc(out.error_description ?? out.error)}</p><p><a href="/">Tilbake</a></p></main></html>`;
		}
	};
	const provider = new Provider(issuer, configuration);
	provider.proxy = process.env.TRUST_PROXY === '1';
	const callback = provider.callback();

	async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
		const details = await provider.interactionDetails(req, res);
		if (details.uid !== uid || details.prompt.name !== 'login') return page(res, 'Innlogging', '<h1>Innloggingen er utløpt</h1><p><a href="/">Start på nytt</a></p>', 400);
		if (req.method === 'GET' && !action) {
			const buttons = [...accounts.values()]
				.map((a) => `<form method="post" action="/interaction/${esc(uid)}/login"><input type="hidden" name="sub" value="${esc(a.claims.sub)}"><button type="submit">${esc(a.claims.name)}<small>${esc(a.label)}</small></button></form>`)
				.join('');
			return page(res, 'Logg inn – demo', `<h1>Logg inn</h1><p>Demo-innlogging for HelseID og ID-porten. Alle personer er oppdiktet.</p>${buttons}`);
		}
		if (req.method === 'POST' && action === 'login') {
			const sub = (await readForm(req)).get('sub') ?? '';
			if (!accounts.has(sub)) return page(res, 'Innlogging', '<h1>Ukjent bruker</h1>', 400);
			await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
			return;
		}
		page(res, 'Innlogging', '<h1>Ikke tillatt</h1>', 405);
	}

	return {
		issuer,
		handle(req, res) {
			const path = new URL(req.url ?? '/', 'http://x').pathname;
			if (path === '/oidc' || path.startsWith('/oidc/')) {
				// oidc-provider builds its endpoint URLs from originalUrl: keep the prefix there.
				Object.assign(req, { originalUrl: req.url });
				req.url = req.url!.slice('/oidc'.length) || '/';
				void callback(req, res);
				return true;
			}
			const m = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec(path);
			if (!m) return false;
			interaction(req, res, m[1]!, m[2]).catch(() => page(res, 'Innlogging', '<h1>Innloggingen er utløpt</h1><p><a href="/">Start på nytt</a></p>', 400));
			return true;
		}
	};
}
