import { expect, test, type Page } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, wcagViolations } from './helpers';

const plan = `/patients/${pal.patientId}`;

/** The Oslo calendar date `days` before today, as the date field takes it. */
function daysAgo(days: number): string {
	return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date(Date.now() - days * 24 * 60 * 60_000));
}

async function save(page: Page) {
	await page.getByRole('button', { name: 'Lagre' }).click();
}

test.beforeEach(async ({ page }) => logIn(page, clinicians.bodoGp.name));

test('the GP types an ICD-10 code that is not one, then Pål’s glaucoma again, then “demens” again: each refused in words, at the field', async ({ page }) => {
	await page.goto(`${plan}/diagnoses/new`);
	await expect(page.getByRole('heading', { level: 1, name: 'Ny diagnose eller problem' })).toBeVisible();
	await page.getByLabel('Diagnose eller problem').fill('Grønn stær');
	await page.getByLabel('Kodeverk').selectOption('ICD-10');
	const code = page.getByLabel('Kode (valgfritt)');
	await code.fill('H401');
	await save(page);
	const summary = page.getByTestId('error-summary');
	await expect(summary).toContainText('Kode: En ICD-10-kode er en bokstav og to sifre, eventuelt med punktum og flere sifre, for eksempel H40.1.');
	await expect(code).toHaveAttribute('aria-invalid', 'true');
	await expect(code).toHaveAccessibleDescription(/En ICD-10-kode er en bokstav og to sifre/);
	expect(await wcagViolations(page)).toEqual([]);

	await code.fill('h40.1');
	await save(page);
	await expect(summary).toContainText('Kode: Planen har allerede en aktiv diagnose med denne koden.');
	await expect(code).toHaveAccessibleDescription('Planen har allerede en aktiv diagnose med denne koden.');

	await page.getByLabel('Kodeverk').selectOption('');
	await code.fill('');
	await page.getByLabel('Diagnose eller problem').fill('  demens ');
	await save(page);
	await expect(summary).toContainText('Diagnose eller problem: Planen har allerede en aktiv diagnose med dette navnet.');
	// What was typed stays as typed when a field turns invalid.
	await expect(page.getByLabel('Diagnose eller problem')).toHaveValue('  demens ');
	await expect(page).toHaveURL(`${plan}/diagnoses/new`);

	// A well-formed SNOMED CT code of a new diagnosis is taken.
	await page.getByLabel('Diagnose eller problem').fill('Fallrisiko');
	await page.getByLabel('Kodeverk').selectOption('SNOMED-CT');
	await code.fill('129839007');
	await save(page);
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await expect(page.getByText('Fallrisiko')).toBeVisible();
});

test('a goal’s target date in the past is taken only after the GP confirms that date', async ({ page }) => {
	await page.goto(`${plan}/goals/new`);
	await page.getByLabel('Mål', { exact: true }).fill('Lese avisen hver morgen');
	const past = daysAgo(10);
	await page.getByLabel('Måldato (valgfritt)').fill(past);
	await save(page);
	await expect(page.getByTestId('error-summary')).toContainText('Måldato: Måldatoen har allerede vært. Rett datoen, eller bekreft at den skal stå.');
	const confirm = page.getByRole('checkbox', { name: /^Ja, måldatoen skal være .+, selv om den har vært$/ });
	await expect(confirm).not.toBeChecked();
	await expect(page.getByLabel('Måldato (valgfritt)')).toHaveValue(past);
	expect(await wcagViolations(page)).toEqual([]);

	// Another past date asks again: the confirmation was for the first one.
	await confirm.check();
	await page.getByLabel('Måldato (valgfritt)').fill(daysAgo(20));
	await save(page);
	await expect(page.getByTestId('error-summary')).toContainText('Måldatoen har allerede vært.');
	await expect(page.getByRole('checkbox', { name: /^Ja, måldatoen skal være/ })).not.toBeChecked();

	await page.getByRole('checkbox', { name: /^Ja, måldatoen skal være/ }).check();
	await save(page);
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await expect(page.getByText('Lese avisen hver morgen')).toBeVisible();
});

test('a too long measure title is refused with the limit in the message', async ({ page }) => {
	await page.goto(`${plan}/measures/new`);
	await page.getByLabel('Tittel').fill('Øyedråper '.repeat(21));
	await save(page);
	await expect(page.getByTestId('error-summary')).toContainText('Tittel: Teksten er for lang. Høyst 200 tegn.');
	await expect(page.getByLabel('Tittel')).toHaveAccessibleDescription('Teksten er for lang. Høyst 200 tegn.');
	expect(await wcagViolations(page)).toEqual([]);
});
