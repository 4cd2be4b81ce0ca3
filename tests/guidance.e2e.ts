import { expect, test, type Browser, type Page } from './test';
import { clinicians, pal, relatives } from '../src/lib/fixtures';
import { logIn, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own: these tests add to Pål's plan, which other test files read.
let server: ServerProcess;
test.beforeAll(async () => {
	server = serverProcess(4460);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A fresh tablet logged in as `name`, its first sync done, on Pål's plan. */
async function palsPlanAs(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await page.getByRole('link', { name: pal.patient.name, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	return page;
}

const daughter = relatives.palDaughter.name;

test('the nurse adds a guidance level with whom to call, edits it and ends it; Pål reads every level in words, with nothing to change', async ({ browser }) => {
	const nurse = await palsPlanAs(browser, clinicians.ranaNurse.name);
	const guidance = nurse.getByTestId('contact-guidance');
	// Pål's plan was made before levels named a phone number: its lines still show, each level named in words.
	await expect(guidance).toContainText('Grønt: alt er som vanlig');
	await expect(guidance).toContainText('Legevakten 116 117, AMK 113');

	await nurse.getByRole('link', { name: 'Legg til nivå' }).click();
	await expect(nurse.getByRole('heading', { level: 1, name: 'Legg til nivå' })).toBeVisible();
	expect(await wcagViolations(nurse)).toEqual([]);
	await nurse.getByLabel('Telefonnummer').fill('12 34');
	await nurse.getByRole('button', { name: 'Lagre' }).click();
	const summary = nurse.getByTestId('error-summary');
	await expect(summary).toContainText('Nivå: Velg et av alternativene.');
	await expect(summary).toContainText('Tegn å se etter: Feltet må fylles ut.');
	await expect(summary).toContainText('Telefonnummer: Skriv et norsk telefonnummer med 8 sifre (gjerne med +47 foran), eller 113 ved fare for liv.');
	await expect(nurse.getByLabel('Telefonnummer')).toHaveAttribute('aria-invalid', 'true');
	expect(await wcagViolations(nurse)).toEqual([]);

	await nurse.getByLabel('Gult: følg med').check();
	await nurse.getByLabel('Tegn å se etter').fill('Pål er forvirret og urolig om kvelden');
	await nurse.getByLabel('Hva skal pasienten eller pårørende gjøre').fill('Ring datteren samme kveld');
	await nurse.getByLabel('Hvem skal kontaktes (navn eller tjeneste)').fill(daughter);
	await nurse.getByLabel('Telefonnummer').fill('+47 41234567');
	await nurse.getByRole('button', { name: 'Lagre' }).click();

	const level = guidance.getByTestId('guidance-level').filter({ hasText: 'Pål er forvirret og urolig om kvelden' });
	await expect(level).toContainText('Gult: følg med');
	await expect(level).toContainText('Ring datteren samme kveld');
	await expect(level.getByRole('link', { name: '412 34 567' })).toHaveAttribute('href', 'tel:+4741234567');
	await expect(level).toContainText(`Sist endret av ${clinicians.ranaNurse.name}`);

	await level.getByRole('link', { name: /^Endre nivå: Gult: følg med/ }).click();
	await expect(nurse.getByRole('heading', { level: 1, name: 'Endre nivå' })).toBeVisible();
	await expect(nurse.getByLabel('Telefonnummer')).toHaveValue('412 34 567');
	expect(await wcagViolations(nurse)).toEqual([]);
	await nurse.getByLabel('Hva skal pasienten eller pårørende gjøre').fill('Ring datteren, og si fra til hjemmetjenesten');
	await nurse.getByRole('button', { name: 'Lagre' }).click();
	await expect(level).toContainText('Ring datteren, og si fra til hjemmetjenesten');
	await expect(guidance.getByText('Ring datteren samme kveld')).toHaveCount(0);
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	// Pål on his phone: the levels in words, the new one with its number, and nothing to add or change.
	const phone = await palsPlanAs(browser, pal.patient.name);
	const contact = phone.getByRole('region', { name: 'Når bør du ta kontakt?' });
	for (const words of ['Grønt: alt er som vanlig', 'Gult: følg med', 'Rødt: få hjelp nå']) await expect(contact).toContainText(words);
	const his = contact.getByTestId('guidance-level').filter({ hasText: 'Pål er forvirret og urolig om kvelden' });
	await expect(his).toContainText('Gult: følg med');
	await expect(his).toContainText(`${daughter}, 412 34 567`);
	await expect(phone.getByRole('link', { name: 'Legg til nivå' })).toHaveCount(0);
	await expect(phone.getByRole('link', { name: /^Endre/ })).toHaveCount(0);
	await expect(contact.getByRole('button')).toHaveCount(0);
	expect(await wcagViolations(phone)).toEqual([]);

	// The nurse ends the level: it leaves the plan, and is kept with who ended it.
	await level.getByRole('link', { name: /^Endre nivå/ }).click();
	await nurse.getByRole('button', { name: 'Avslutt nivået' }).click();
	await expect(nurse.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await expect(level).toHaveCount(0);
	const ended = nurse.getByTestId('ended-guidance');
	await ended.getByText('Avsluttede nivåer (1)').click();
	await expect(ended).toContainText('Pål er forvirret og urolig om kvelden');
	await expect(ended).toContainText(`Avsluttet av ${clinicians.ranaNurse.name}`);
	expect(await wcagViolations(nurse)).toEqual([]);
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await expect(phone.getByText('Pål er forvirret og urolig om kvelden')).toHaveCount(0, { timeout: 20_000 });
});

test('the GP adds a purpose with its own button, and its edit page says “Endre formål”; a goal’s says “Endre mål”', async ({ browser }) => {
	const gp = await palsPlanAs(browser, clinicians.bodoGp.name);
	await gp.getByRole('link', { name: 'Legg til formål' }).click();
	await expect(gp.getByRole('heading', { level: 1, name: 'Legg til formål' })).toBeVisible();
	await expect(gp.getByLabel('Kategori')).toHaveValue('purpose');
	expect(await wcagViolations(gp)).toEqual([]);
	await gp.getByLabel('Mål', { exact: true }).fill('Bevare synet lengst mulig');
	await gp.getByRole('button', { name: 'Lagre' }).click();

	const purposes = gp.locator('[data-testid="goals"][data-category="purpose"]');
	await expect(purposes).toContainText('Bevare synet lengst mulig');
	await purposes.getByRole('link', { name: 'Endre formål: Bevare synet lengst mulig' }).click();
	await expect(gp.getByRole('heading', { level: 1, name: 'Endre formål' })).toBeVisible();
	await gp.getByRole('link', { name: 'Avbryt' }).click();

	await gp.getByRole('link', { name: 'Legg til mål', exact: true }).click();
	await expect(gp.getByRole('heading', { level: 1, name: 'Legg til mål' })).toBeVisible();
	await expect(gp.getByLabel('Kategori')).toHaveValue('treatment');
	await gp.getByRole('link', { name: 'Avbryt' }).click();
	const goals = gp.locator('[data-testid="goals"][data-category="treatment"]');
	await goals.getByRole('link', { name: /^Endre mål: / }).first().click();
	await expect(gp.getByRole('heading', { level: 1, name: 'Endre mål' })).toBeVisible();
	await gp.getByRole('link', { name: 'Avbryt' }).click();

	await gp.getByRole('link', { name: 'Legg til mål for egenbehandling' }).click();
	await expect(gp.getByRole('heading', { level: 1, name: 'Legg til mål for egenbehandling' })).toBeVisible();
});

test('Pål reads when to contact whom with every level named in words, not by colour alone, and read-only', async ({ browser }) => {
	const phone = await palsPlanAs(browser, pal.patient.name);
	const contact = phone.getByRole('region', { name: 'Når bør du ta kontakt?' });
	await expect(contact).toContainText('Grønt: alt er som vanlig');
	const levels = contact.getByTestId('guidance-level');
	await expect(levels).toHaveCount(3);
	await expect(levels.nth(0)).toContainText('Grønt: alt er som vanlig');
	await expect(levels.nth(1)).toContainText('Gult: følg med');
	await expect(levels.nth(2)).toContainText('Rødt: få hjelp nå');
	await expect(levels.nth(2)).toContainText('Legevakten 116 117, AMK 113');
	await expect(levels.getByRole('link', { name: /^Endre/ })).toHaveCount(0);
});
