import { expect, test } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// The demo EHR's client secret at the embedded provider, for this test's server only.
const SECRET = `test-${crypto.randomUUID()}`;
let server: ServerProcess;

test.beforeAll(async () => {
	process.env.DBEP_DEMO_API_SECRET = SECRET;
	server = serverProcess(4187);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** An access token from the real provider by client credentials, for the given resource (audience). */
async function token(resource: string): Promise<string> {
	const response = await fetch(`${server.url}/oidc/token`, {
		method: 'POST',
		headers: { authorization: `Basic ${Buffer.from(`dbep-demo-ehr:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'dbep.status', resource })
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { access_token: string }).access_token;
}

const status = (authorization: string | null, query = '') =>
	fetch(`${server.url}/api/v1/status${query}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
		body: JSON.stringify({ nationalId: pal.patient.nationalId })
	});

test('an EHR with a token for this API reads a plan’s status; missing, forged, wrong-audience tokens and tokens in the URL are refused; the read is in the patient’s access log', async ({ page }) => {
	const good = await token('urn:dbep:api');
	const ok = await status(`Bearer ${good}`);
	expect(ok.status).toBe(200);
	expect(await ok.json()).toMatchObject({ hasPlan: true, lastChanged: expect.stringMatching(/^2026-/), privacy: { consent: true, restricted: false, blockedClinicians: 0 } });

	const refused = async (authorization: string | null, query = '') => {
		const response = await status(authorization, query);
		return [response.status, ((await response.json()) as { error: string }).error];
	};
	expect(await refused(null)).toEqual([401, 'token-missing']);
	const [header, payload, signature] = good.split('.');
	const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), scope: 'dbep.status dbep.admin' })).toString('base64url');
	expect(await refused(`Bearer ${header}.${forgedPayload}.${signature}`)).toEqual([401, 'token-invalid']);
	expect(await refused(`Bearer ${await token('urn:dbep:demo-other-api')}`)).toEqual([401, 'wrong-audience']);
	expect(await refused(`Bearer ${good}`, `?access_token=${good}`)).toEqual([400, 'token-in-url']);

	// Pål sees the system's read in his access log.
	await logIn(page, pal.patient.name, server.url);
	await page.getByRole('link', { name: 'Innsynslogg' }).click();
	await expect(page.getByTestId('access-log').getByRole('row').filter({ hasText: 'Fagsystem dbep-demo-ehr' }).first()).toContainText('Fagsystem via API');

	// No token was ever printed by the server.
	expect(server.output()).not.toContain(good.split('.')[2]);
	expect(server.output()).not.toContain(SECRET);
});
