import { expect, test } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';

const plan = `/patients/${pal.patientId}`;

// Every page here shows patient data: the Rana nurse, on Pål's care team, logs in first.
test.beforeEach(async ({ page }) => logIn(page, ranaNurse));
const pages: [string, string, string][] = [
	['patient list', '/', 'Mine pasienter'],
	['plan', plan, pal.patient.name],
	['new measure form', `${plan}/measures/new`, 'Nytt tiltak'],
	['edit measure form', `${plan}/measures/${pal.measures.eyeDrops}`, 'Endre tiltak'],
	['edit purpose form', `${plan}/goals/${pal.goals.purpose}`, 'Endre formål'],
	['edit goal form', `${plan}/goals/${pal.goals.eyePressure}`, 'Endre mål'],
	['new guidance level form', `${plan}/guidance/new`, 'Legg til nivå'],
	['edit guidance level form', `${plan}/guidance/${pal.contactGuidance.red}`, 'Endre nivå'],
	['new diagnosis form', `${plan}/diagnoses/new`, 'Ny diagnose eller problem']
];

for (const [name, path, heading] of pages) {
	test(`no WCAG 2.1 AA violations: ${name}`, async ({ page }) => {
		await page.goto(path);
		await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
		expect(await wcagViolations(page)).toEqual([]);
	});
}

test('no WCAG 2.1 AA violations: plan with open record form and details', async ({ page }) => {
	await page.goto(plan);
	await page.getByTestId('visit-item').first().getByRole('button', { name: 'Ikke utført' }).click();
	for (const summary of await page.locator('details summary').all()) await summary.click();
	expect(await wcagViolations(page)).toEqual([]);
});

test('a form refused for bad input says why, field by field, and stays accessible', async ({ page }) => {
	await page.goto(`${plan}/measures/new`);
	await page.getByLabel('Klokkeslett (f.eks. 08:00, 20:00)').fill('25:99');
	await page.getByRole('button', { name: 'Lagre' }).click();
	const summary = page.getByTestId('error-summary');
	await expect(summary).toContainText('Tittel: Feltet må fylles ut.');
	await expect(summary).toContainText('Skriv klokkeslett som TT:MM');
	await expect(page.getByLabel('Tittel')).toHaveAttribute('aria-invalid', 'true');
	expect(await wcagViolations(page)).toEqual([]);
});

test('English is available and remembered on the device', async ({ page }) => {
	await page.goto('/');
	await page.getByRole('button', { name: 'English' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'My patients' })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: 'My patients' })).toBeVisible();
	expect(await wcagViolations(page)).toEqual([]);
});
