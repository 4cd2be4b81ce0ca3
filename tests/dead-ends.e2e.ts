import { request } from 'node:http';
import { expect, test, type Page } from './test';
import { pal } from '../src/lib/fixtures';
import { choosePin, logIn, logOutWith, openAndCache, ranaNurse, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

const palName = pal.patient.name;

test('a wrong address shows a Norwegian not-found page with a way back, online and offline', async ({ context, page }) => {
	await logIn(page, ranaNurse);
	await openAndCache(page);

	await page.goto('/finnes-ikke');
	await expect(page.getByRole('heading', { level: 1, name: 'Siden finnes ikke' })).toBeVisible();
	await expect(page.getByText('Det finnes ingen side på adressen /finnes-ikke i appen.')).toBeVisible();
	await expect(page).toHaveTitle('Siden finnes ikke – Behandlingsplan');
	expect(await wcagViolations(page)).toEqual([]);
	await page.getByRole('link', { name: 'Gå til Mine pasienter' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Mine pasienter' })).toBeVisible();

	// A malformed patient id never reaches the plan page: it is a wrong address too.
	await page.goto('/patients/ikke-en-pasient');
	await expect(page.getByRole('heading', { level: 1, name: 'Siden finnes ikke' })).toBeVisible();

	// Offline the service worker answers with the cached shell, which shows the same page.
	await context.setOffline(true);
	await page.goto('/finnes-ikke/heller-ikke');
	await expect(page.getByRole('heading', { level: 1, name: 'Siden finnes ikke' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Gå til Mine pasienter' })).toBeVisible();
});

test('a login that cannot be confirmed ends on a Norwegian page with a way back, not a bare error', async ({ page }) => {
	const answer = await page.goto('/auth/callback?code=abc&state=def');
	expect(answer?.status()).toBe(400);
	await expect(page.getByRole('heading', { level: 1, name: 'Noe gikk galt' })).toBeVisible();
	await expect(page.getByText('Innloggingen er utløpt eller ble startet et annet sted. Prøv igjen.')).toBeVisible();
	await expect(page).toHaveTitle('Noe gikk galt – Behandlingsplan');
	expect(await wcagViolations(page)).toEqual([]);
	await page.getByRole('link', { name: 'Tilbake til appen' }).click();
	await expect(page.getByTestId('login-screen')).toBeVisible();
});

test('each page’s title names what it shows: the list, a patient’s plan, an item’s form', async ({ page }) => {
	await logIn(page, ranaNurse);
	await expect(page).toHaveTitle('Mine pasienter – Behandlingsplan');

	await page.getByRole('link', { name: palName }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();
	await expect(page).toHaveTitle(`${palName} – Behandlingsplan`);

	await page.getByRole('link', { name: 'Endre: Øyedråper daglig' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Endre tiltak' })).toBeVisible();
	await expect(page).toHaveTitle(`Endre tiltak – ${palName} – Behandlingsplan`);

	await page.getByRole('link', { name: `← ${palName}` }).click();
	await page.getByRole('link', { name: 'Legg til mål', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Legg til mål' })).toBeVisible();
	await expect(page).toHaveTitle(`Legg til mål – ${palName} – Behandlingsplan`);
});

test.describe('a login started at another address than the configured one', () => {
	let unset: ServerProcess;
	let fixed: ServerProcess;
	test.beforeAll(async () => {
		unset = serverProcess(4501, undefined, {}, { withoutOrigin: true });
		fixed = serverProcess(4502);
		await Promise.all([unset.start(), fixed.start()]);
	});
	test.afterAll(async () => {
		await Promise.all([unset?.dispose(), fixed?.dispose()]);
	});

	test('with ORIGIN unset, a login started at 127.0.0.1 completes there and the tablet syncs', async ({ page }) => {
		const base = 'http://127.0.0.1:4501';
		await page.goto(`${base}/`);
		await page.getByRole('link', { name: 'Logg inn' }).click();
		await page.getByRole('button', { name: new RegExp(`^${ranaNurse}`) }).click();
		await choosePinIfAsked(page);
		await expect(page.getByTestId('signed-in')).toHaveText(`Innlogget: ${ranaNurse}`);
		expect(new URL(page.url()).origin).toBe(base);
		await expect(page.getByRole('link', { name: palName })).toBeVisible();
		// Her patients came over /sync, whose Origin check knows this address as the app's own.
		await expect(page.getByTestId('connectivity')).toContainText('Tilkoblet');

		await logOutWith(page.getByRole('button', { name: 'Logg ut' }));
		await expect.poll(async () => (await page.request.get(`${base}/auth/me`)).status()).toBe(401);
	});

	test('with ORIGIN set, the login screen at 127.0.0.1 says where to open the app, and the login works there', async ({ page }) => {
		await page.goto('http://127.0.0.1:4502/');
		await expect(page.getByTestId('login-elsewhere')).toContainText('Appen er åpnet på 127.0.0.1:4502, men innloggingen hører til http://localhost:4502.');
		await expect(page.getByRole('link', { name: 'Logg inn' })).toHaveCount(0);
		expect(await wcagViolations(page)).toEqual([]);
		await page.getByRole('link', { name: 'Åpne http://localhost:4502' }).click();
		await page.getByRole('link', { name: 'Logg inn' }).click();
		await page.getByRole('button', { name: new RegExp(`^${ranaNurse}`) }).click();
		await choosePinIfAsked(page);
		await expect(page.getByTestId('signed-in')).toHaveText(`Innlogget: ${ranaNurse}`);
		expect(new URL(page.url()).origin).toBe('http://localhost:4502');
	});

	test('with ORIGIN unset, a Host header the server does not serve never becomes a redirect URI', async () => {
		const answer = await rawGet(4501, '/auth/login', 'evil.example:4501');
		expect(answer.status).toBe(303);
		expect(answer.location).toBe('/');
		const origin = await rawGet(4501, '/auth/origin', 'evil.example:4501');
		expect(JSON.parse(origin.body)).toEqual({ origin: 'http://localhost:4501' });
		// A served address gets its own redirect URI.
		const own = await rawGet(4501, '/auth/login', '127.0.0.1:4501');
		expect(new URL(own.location ?? '').searchParams.get('redirect_uri')).toBe('http://127.0.0.1:4501/auth/callback');
	});
});

/** Chooses the device PIN when this new device asks for one, then waits for the list. */
async function choosePinIfAsked(page: Page): Promise<void> {
	const setup = page.getByTestId('pin-setup');
	await setup.or(page.getByTestId('signed-in')).first().waitFor({ timeout: 20_000 });
	if (await setup.isVisible()) await choosePin(page);
}

/** A GET with a Host header of our choosing (a browser would not send a forged one; an attacker's client would). */
function rawGet(port: number, path: string, host: string): Promise<{ status: number; location: string | undefined; body: string }> {
	return new Promise((resolve, reject) => {
		const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
			let body = '';
			res.on('data', (chunk: Buffer) => (body += chunk.toString()));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
		});
		req.on('error', reject);
		req.end();
	});
}
