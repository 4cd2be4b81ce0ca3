import { expect, test } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse } from './helpers';
import { serverProcess } from './server-process';

const palName = pal.patient.name;

test('the server killed at random points during sync loses nothing it acknowledged, and the tablet finishes by itself', async ({ browser }) => {
	test.setTimeout(120_000);
	const server = serverProcess(4182);
	await server.start();
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		await logIn(page, ranaNurse, server.url);
		await page.goto(`${server.url}/patients/${pal.patientId}`);
		await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
		await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible({ timeout: 20_000 });

		await context.setOffline(true);
		const comments = Array.from({ length: 20 }, (_, i) => `Observasjon nummer ${i + 1} fra kveldsbesøket.`);
		for (const text of comments) {
			await page.getByLabel('Skriv en kommentar').fill(text);
			await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
			await expect(page.getByLabel('Skriv en kommentar')).toHaveValue('');
		}
		await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

		await context.setOffline(false);
		for (let i = 0; i < 3; i++) {
			await page.waitForTimeout(Math.floor(Math.random() * 400));
			await server.kill();
			await server.start();
		}
		await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 60_000 });

		// Everything the tablet was told is stored survives one more crash and reaches a new tablet.
		await server.kill();
		await server.start();
		const fresh = await (await browser.newContext()).newPage();
		await logIn(fresh, ranaNurse, server.url);
		await fresh.goto(`${server.url}/patients/${pal.patientId}`);
		await expect(fresh.getByRole('heading', { level: 1, name: palName })).toBeVisible({ timeout: 20_000 });
		const section = fresh.getByRole('region', { name: 'Kommentarer' });
		await section.getByRole('button', { name: /Vis alle/ }).click();
		for (const text of comments) await expect(section.getByText(text)).toBeVisible();
	} finally {
		await server.dispose();
	}
});
