import { expect, test, type Browser, type Page } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own: these records must not meet other tests' visits to Pål.
let server: ServerProcess;
test.beforeAll(async () => {
	server = serverProcess(4441);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A tablet logged in as `name`, at Pål's plan once its first sync has brought it. */
async function palsPlan(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await page.goto(`${server.url}/`);
	await page.getByRole('link', { name: pal.patient.name }).click({ timeout: 30_000 });
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	return page;
}

/** Heights of the tappable things under `scope` smaller than 44 px (a radio counts by its label). */
async function smallTargets(scope: ReturnType<Page['locator']>): Promise<string[]> {
	return scope.locator('button, label:has(input[type=radio]), input:not([type=radio]), textarea').evaluateAll((els) =>
		els.map((e) => [e.textContent?.trim() || e.id, e.getBoundingClientRect()] as const).filter(([, r]) => r.height < 44 || r.width < 44).map(([what, r]) => `${what}: ${Math.round(r.width)}×${Math.round(r.height)}`)
	);
}

const measureCard = (page: Page) => page.getByTestId('measure').filter({ has: page.getByRole('heading', { name: 'Øyedråper daglig', exact: true }) });

test('the nurse corrects her visit record with a reason; the plan shows both, and the GP sees it was corrected but may not correct it', async ({ browser }) => {
	const nurse = await palsPlan(browser, ranaNurse);
	const eyeDrops = nurse.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await eyeDrops.getByRole('button', { name: 'Utført', exact: true }).click();
	await eyeDrops.getByLabel('Klokkeslett').fill('08:40');
	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:40');

	await eyeDrops.getByRole('button', { name: 'Rett registreringen Øyedråper daglig 08:40' }).click();
	const form = eyeDrops.getByRole('form', { name: 'Rett registreringen' });
	await expect(form.getByRole('radio', { name: 'Utført', exact: true })).toBeChecked();
	await form.getByRole('radio', { name: 'Ikke utført' }).check();
	await form.getByRole('button', { name: 'Lagre rettingen' }).click();
	await expect(form.getByLabel('Årsak')).toHaveAttribute('aria-invalid', 'true');
	await expect(form.getByLabel('Hvorfor rettes registreringen?')).toHaveAttribute('aria-invalid', 'true');
	expect(await wcagViolations(nurse)).toEqual([]);
	await expect(form.locator('label:has(input[type=radio])')).toHaveCount(2);
	expect(await smallTargets(eyeDrops)).toEqual([]);
	await form.getByLabel('Årsak').fill('Pasienten ville ikke');
	await form.getByLabel('Hvorfor rettes registreringen?').fill('Trykket feil knapp');
	await form.getByRole('button', { name: 'Lagre rettingen' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Ikke utført kl. 08:40 (rettet)');

	const card = measureCard(nurse);
	await card.getByText(/Siste registreringer/).click();
	const record = card.getByTestId('record');
	await expect(record).toHaveCount(1);
	await expect(record).toContainText('Ikke utført (Pasienten ville ikke)');
	await expect(record).toContainText('Retting');
	const original = record.getByTestId('corrected-record');
	await expect(original).toContainText('Rettet');
	await expect(original.locator('s')).toContainText('Utført');
	await expect(original).toContainText(`Rettet av ${ranaNurse}`);
	await expect(original).toContainText('Begrunnelse: Trykket feil knapp');
	// The correction itself may be corrected again, by its author.
	await expect(card.getByRole('button', { name: /^Rett registreringen/ })).toHaveCount(1);
	expect(await wcagViolations(nurse)).toEqual([]);
	expect(await smallTargets(record)).toEqual([]);
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const gp = await palsPlan(browser, clinicians.bodoGp.name);
	const seen = gp.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await expect(seen.getByTestId('visit-recorded')).toHaveText('Ikke utført kl. 08:40 (rettet)');
	await expect(seen.getByRole('button', { name: /^Rett registreringen/ })).toHaveCount(0);
	const gpCard = measureCard(gp);
	await gpCard.getByText(/Siste registreringer/).click();
	await expect(gpCard.getByTestId('corrected-record')).toContainText('Begrunnelse: Trykket feil knapp');
	await expect(gpCard.getByRole('button', { name: /^Rett registreringen/ })).toHaveCount(0);
});
