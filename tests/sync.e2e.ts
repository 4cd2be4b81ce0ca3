import { expect, test, type Browser, type Page } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

const palName = pal.patient.name;
let server: ServerProcess;

test.beforeAll(async () => {
	server = serverProcess(4181);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A tablet that has fetched its plans from the server and cached the app, at Pål's plan. */
async function tablet(browser: Browser): Promise<Page> {
	const context = await browser.newContext();
	const page = await context.newPage();
	await logIn(page, ranaNurse, server.url);
	await page.goto(`${server.url}/`);
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
	await expect(page.getByRole('link', { name: palName })).toBeVisible({ timeout: 20_000 });
	await page.getByRole('link', { name: palName }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();
	return page;
}

async function allSent(page: Page): Promise<void> {
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
}

test('two tablets edit Pål offline; after reconnecting both, and the server, hold all four changes', async ({ browser }) => {
	const a = await tablet(browser);
	const b = await tablet(browser);
	await a.context().setOffline(true);
	await b.context().setOffline(true);

	// Tablet A: eye drops given at 08:10, and the purpose edited.
	const eyeDrops = a.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await eyeDrops.getByRole('button', { name: 'Utført', exact: true }).click();
	await eyeDrops.getByLabel('Klokkeslett').fill('08:10');
	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:10');
	await a.getByRole('link', { name: 'Endre formål: Forebygge synstap' }).click();
	await a.getByLabel('Mål', { exact: true }).fill('Forebygge synstap og fall');
	await a.getByRole('button', { name: 'Lagre' }).click();
	await expect(a.getByText('Forebygge synstap og fall')).toBeVisible();

	// Tablet B: a new measure and a comment on the plan.
	await b.getByRole('link', { name: 'Legg til tiltak' }).click();
	await b.getByLabel('Tittel').fill('Hjelp med å legge inn øyedråper om kvelden');
	await b.getByLabel('Klokkeslett (f.eks. 08:00, 20:00)').fill('20:00');
	await b.getByLabel('Tjeneste eller enhet').fill('Hjemmetjenesten Rana');
	await b.getByRole('button', { name: 'Lagre' }).click();
	await expect(b.getByRole('heading', { name: 'Hjelp med å legge inn øyedråper om kvelden' })).toBeVisible();
	await b.getByLabel('Skriv en kommentar').fill('Datteren sier synet virker dårligere.');
	await b.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(b.getByText('Datteren sier synet virker dårligere.')).toBeVisible();

	for (const page of [a, b]) {
		await page.reload();
		await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();
		await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');
	}

	await a.context().setOffline(false);
	await b.context().setOffline(false);
	await allSent(a);
	await allSent(b);

	const expectAllFour = async (page: Page) => {
		await expect(page.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' }).getByTestId('visit-recorded')).toHaveText('Utført kl. 08:10', { timeout: 20_000 });
		await expect(page.getByText('Forebygge synstap og fall')).toBeVisible();
		await expect(page.getByRole('heading', { name: 'Hjelp med å legge inn øyedråper om kvelden' })).toBeVisible();
		await expect(page.getByText('Datteren sier synet virker dårligere.')).toBeVisible();
	};
	await expectAllFour(a);
	await expectAllFour(b);

	// A third, fresh tablet gets everything from the server.
	await expectAllFour(await tablet(browser));
});

test('a change on one tablet reaches another connected tablet within seconds', async ({ browser }) => {
	const a = await tablet(browser);
	const b = await tablet(browser);
	await a.getByLabel('Skriv en kommentar').fill('Ny time hos øyelegen er bestilt.');
	await a.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(b.getByText('Ny time hos øyelegen er bestilt.')).toBeVisible({ timeout: 5_000 });
});
