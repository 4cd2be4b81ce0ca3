import { expect, test } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, openAndCache, patientsOf, ranaNurse } from './helpers';

const palName = pal.patient.name;
/** The patients on the Rana nurse's tablet: every one of them is listed offline. */
const hers = patientsOf(clinicians.ranaNurse.id);

test('a home visit works offline and survives a reload and a new tab', async ({ context, page }) => {
	await logIn(page, ranaNurse);
	await openAndCache(page);
	await expect(page.getByRole('link', { name: palName })).toBeVisible();

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('connectivity')).toContainText('Frakoblet');
	await expect(page.getByTestId('patient-row')).toHaveCount(hers.length);
	const palRow = page.getByTestId('patient-row').filter({ hasText: palName });
	await expect(palRow).toContainText('08:00 Øyedråper daglig');
	await expect(palRow.getByTestId('unsynced-badge')).toHaveCount(0);

	await page.getByRole('link', { name: palName }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();
	await expect(page.getByTestId('what-matters')).toContainText('Å bo hjemme så lenge jeg kan');

	// Tick the eye drops as carried out at 08:10.
	const eyeDrops = page.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await eyeDrops.getByRole('button', { name: 'Utført', exact: true }).click();
	await eyeDrops.getByLabel('Klokkeslett').fill('08:10');
	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:10');
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

	// Add a measure.
	await page.getByRole('link', { name: 'Legg til tiltak' }).click();
	await page.getByLabel('Tittel').fill('Tilsyn av hud og trykkpunkter');
	await page.getByLabel('Klokkeslett (f.eks. 08:00, 20:00)').fill('09:00');
	await page.getByLabel('Tjeneste eller enhet').fill('Hjemmetjenesten Rana');
	await page.getByRole('button', { name: 'Lagre' }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();
	await expect(page.getByRole('heading', { name: 'Tilsyn av hud og trykkpunkter' })).toBeVisible();

	// Put the annual check on hold and comment on it for the eye clinic.
	const annual = page.getByTestId('measure').filter({ hasText: 'Årlig kontroll hos øyelege' });
	await annual.getByLabel('Status').selectOption({ label: 'Satt på vent' });
	await expect(annual.getByLabel('Status')).toHaveValue('on-hold');
	await annual.getByText(/Kommentarer/).click();
	await annual.getByLabel('Kommentar').fill('Datteren mener synet er blitt dårligere.');
	await annual.getByRole('button', { name: 'Legg til kommentar' }).click();
	await expect(annual).toContainText('Datteren mener synet er blitt dårligere.');

	// Edit the purpose goal.
	await page.getByRole('link', { name: 'Endre formål: Forebygge synstap' }).click();
	await page.getByLabel('Mål', { exact: true }).fill('Forebygge synstap og fall');
	await page.getByRole('button', { name: 'Lagre' }).click();
	await expect(page.getByTestId('goals').first()).toContainText('Forebygge synstap og fall');

	const expectAllThere = async (p: typeof page) => {
		await expect(p.getByRole('heading', { level: 1, name: palName })).toBeVisible();
		await expect(p.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' }).getByTestId('visit-recorded')).toHaveText('Utført kl. 08:10');
		await expect(p.getByRole('heading', { name: 'Tilsyn av hud og trykkpunkter' })).toBeVisible();
		await expect(p.getByText('Forebygge synstap og fall')).toBeVisible();
		const annual = p.getByTestId('measure').filter({ hasText: 'Årlig kontroll hos øyelege' });
		await expect(annual.getByLabel('Status')).toHaveValue('on-hold');
		await expect(annual).toContainText('Datteren mener synet er blitt dårligere.');
	};

	await page.reload();
	await expectAllThere(page);

	const tab = await context.newPage();
	await tab.goto(`/patients/${pal.patientId}`);
	await expectAllThere(tab);
	await expect(tab.getByTestId('connectivity')).toContainText('Frakoblet');

	// The list, opened offline in the new tab, shows the unsent change on Pål's row.
	await tab.goto('/');
	const row = tab.getByTestId('patient-row').filter({ hasText: palName });
	await expect(row.getByTestId('unsynced-badge')).toBeVisible();
	await expect(row.getByTestId('list-measure').filter({ hasText: 'Øyedråper daglig' }).first()).toContainText('Utført kl. 08:10');
});

test('a change in one tab shows in another tab of the same device', async ({ context, page }) => {
	await logIn(page, ranaNurse);
	await openAndCache(page, `/patients/${pal.patientId}`);
	const other = await context.newPage();
	await other.goto(`/patients/${pal.patientId}`);
	await expect(other.getByRole('heading', { level: 1, name: palName })).toBeVisible();

	await page.getByLabel('Skriv en kommentar').fill('Datteren sier synet virker dårligere.');
	await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(other.getByText('Datteren sier synet virker dårligere.')).toBeVisible();
});
