import { expect, test } from '@playwright/test';
import { pal } from '../src/lib/fixtures';
import { logIn, openAndCache, ranaNurse, wcagViolations } from './helpers';

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
	await page.getByRole('link', { name: 'Legg til mål' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Nytt mål' })).toBeVisible();
	await expect(page).toHaveTitle(`Nytt mål – ${palName} – Behandlingsplan`);
});
