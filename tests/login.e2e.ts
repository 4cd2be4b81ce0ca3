import { expect, test, type Browser, type Page } from './test';
import { astrid, clinicians, pal, solveig } from '../src/lib/fixtures';
import { choosePin, logIn as logInAs, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

let server: ServerProcess;

test.beforeAll(async () => {
	server = serverProcess(4185);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A fresh tablet that logs in through the embedded OpenID provider's login page as `name`. */
async function logIn(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logInAs(page, name, server.url);
	return page;
}

test('the login link leads to the provider\'s accessible login page and back, logged in', async ({ browser }) => {
	const page = await (await browser.newContext()).newPage();
	await page.goto(`${server.url}/`);
	await expect(page.getByRole('heading', { level: 1, name: 'Logg inn' })).toBeVisible({ timeout: 20_000 });
	await page.getByRole('link', { name: 'Logg inn' }).click();
	await expect(page).toHaveURL(/\/interaction\//);
	await expect(page.getByRole('heading', { name: 'Logg inn' })).toBeVisible();
	expect(await wcagViolations(page)).toEqual([]);
	await page.getByRole('button', { name: new RegExp(`^${clinicians.ranaNurse.name}`) }).click();
	await choosePin(page);
	await expect(page.getByTestId('signed-in')).toHaveText(`Innlogget: ${clinicians.ranaNurse.name}`);
});

test('the Rana nurse logs in through the real OpenID provider and her tablet gets her patients, not others', async ({ browser }) => {
	const page = await logIn(browser, clinicians.ranaNurse.name);
	await expect(page.getByRole('link', { name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByRole('link', { name: solveig.patient.name })).toBeVisible();
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await expect(page.getByRole('link', { name: astrid.patient.name })).toHaveCount(0);
	// No token or code is left in the address.
	expect(page.url()).toBe(`${server.url}/`);
});

test('Pål logs in and his phone holds only his own plan', async ({ browser }) => {
	const page = await logIn(browser, pal.patient.name);
	await expect(page.getByRole('link', { name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await expect(page.getByRole('link', { name: solveig.patient.name })).toHaveCount(0);
});

test('a forged session cookie is refused, and the callback without a login started here is refused', async ({ browser }) => {
	const context = await browser.newContext();
	const page = await context.newPage();
	const me = await page.request.get(`${server.url}/auth/me`, { headers: { cookie: 'dbep_session=eyJ1c2VyIjp7fX0.forged' } });
	expect(me.status()).toBe(401);
	const callback = await page.request.get(`${server.url}/auth/callback?code=abc&state=def`, { maxRedirects: 0 });
	expect(callback.status()).toBe(400);
});

test('Pål reads in his access log who read his plan, including a plan the nurse opened offline', async ({ browser }) => {
	const nurse = await logIn(browser, clinicians.ranaNurse.name);
	// An empty device has nothing unsent before its first sync: wait for the plans themselves.
	await expect(nurse.getByRole('link', { name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await nurse.context().setOffline(true);
	await nurse.getByRole('link', { name: pal.patient.name }).click();
	await expect(nurse.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await nurse.getByRole('link', { name: 'Behandlingsplan' }).click();
	await nurse.context().setOffline(false);
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const phone = await logIn(browser, pal.patient.name);
	const log = phone.getByTestId('access-log');
	await expect(async () => {
		await phone.getByRole('link', { name: 'Innsynslogg' }).click();
		await expect(log.getByRole('row').filter({ hasText: clinicians.ranaNurse.name }).filter({ hasText: 'åpnet på nettbrettet' })).toHaveCount(1, { timeout: 1000 });
	}).toPass({ timeout: 20_000 });
	await expect(log.getByRole('row').filter({ hasText: clinicians.ranaNurse.name }).first()).toContainText('Behandlingsteamet');
	await expect(log.getByRole('row').filter({ hasText: pal.patient.name }).first()).toContainText('Pasienten selv');
	expect(await wcagViolations(phone)).toEqual([]);
});
