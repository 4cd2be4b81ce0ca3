import { expect, test } from './test';
import { solveig } from '../src/lib/fixtures';
import { logIn, ranaNurse } from './helpers';

test('a measure not done needs a reason, and the reason shows in the measure log', async ({ page }) => {
	await logIn(page, ranaNurse);
	await page.goto(`/patients/${solveig.patientId}`);
	await expect(page.getByRole('heading', { level: 1, name: solveig.patient.name })).toBeVisible();
	const item = page.getByTestId('visit-item').first();
	const title = (await item.locator('strong').innerText()).trim();
	await item.getByRole('button', { name: 'Ikke utført' }).click();
	await item.getByLabel('Klokkeslett').fill('09:05');
	await item.getByRole('button', { name: 'Registrer som ikke utført' }).click();
	await expect(item.getByText('Feltet må fylles ut.')).toBeVisible();
	await expect(item.getByLabel('Årsak')).toHaveAttribute('aria-invalid', 'true');

	await item.getByLabel('Årsak').fill('Pasienten var på sykehuset');
	await item.getByLabel(/Notat/).fill('Ring pårørende i morgen');
	await item.getByRole('button', { name: 'Registrer som ikke utført' }).click();
	await expect(item.getByTestId('visit-recorded')).toHaveText('Ikke utført kl. 09:05');

	const measure = page.getByTestId('measure').filter({ has: page.getByRole('heading', { name: title, exact: true }) });
	await measure.getByText(/Siste registreringer/).click();
	await expect(measure.getByTestId('measure-log')).toContainText('Ikke utført (Pasienten var på sykehuset)');
	await expect(measure.getByTestId('measure-log')).toContainText('Ring pårørende i morgen');
});
