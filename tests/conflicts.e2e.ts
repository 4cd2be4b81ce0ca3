import { expect, test, type Browser, type Page } from './test';
import { clinicians, pal, relatives } from '../src/lib/fixtures';
import { logIn, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own: the test rewrites Pål's purpose.
let server: ServerProcess;
test.beforeAll(async () => {
	server = serverProcess(4421);
	await server.start();
});
test.afterAll(async () => server.dispose());

const GP = clinicians.bodoGp.name;
const NURSE = clinicians.ranaNurse.name;
const GP_TEXT = 'Bevare synet lengst mulig';
const NURSE_TEXT = 'Unngå blindhet og fall i hjemmet';

/** A tablet logged in as `name`, the app cached and its first sync done, at Pål's plan. */
async function tablet(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
	await allSent(page);
	await page.getByRole('link', { name: pal.patient.name, exact: true }).click();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	return page;
}

async function allSent(page: Page): Promise<void> {
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 30_000 });
}

/** Rewrites Pål's purpose on the tablet, through the goal's edit form. */
async function rewritePurpose(page: Page, text: string): Promise<void> {
	await page.getByRole('link', { name: 'Endre formål: Forebygge synstap' }).click();
	await page.getByLabel('Mål', { exact: true }).fill(text);
	await page.getByRole('button', { name: 'Lagre' }).click();
	await expect(page.getByText(text)).toBeVisible();
}

test('two tablets rewrite Pål’s purpose offline: both see both versions with names, the nurse chooses one, both then show only that', async ({ browser }) => {
	test.setTimeout(180_000);
	const gp = await tablet(browser, GP);
	const nurse = await tablet(browser, NURSE);
	await gp.context().setOffline(true);
	await nurse.context().setOffline(true);
	await rewritePurpose(gp, GP_TEXT);
	await rewritePurpose(nurse, NURSE_TEXT);

	await gp.context().setOffline(false);
	await nurse.context().setOffline(false);
	await allSent(gp);
	await allSent(nurse);

	for (const page of [gp, nurse]) {
		const conflict = page.getByTestId('conflict');
		await expect(conflict).toHaveCount(1, { timeout: 30_000 });
		await expect(conflict).toContainText('To versjoner av formålet');
		const versions = conflict.getByTestId('conflict-version');
		await expect(versions).toHaveCount(2);
		await expect(versions.filter({ hasText: `«${GP_TEXT}»` })).toContainText(`Skrevet av ${GP} (Fastlege)`);
		await expect(versions.filter({ hasText: `«${NURSE_TEXT}»` })).toContainText(`Skrevet av ${NURSE} (Hjemmetjenesten)`);
		await expect(conflict.getByRole('button', { name: `Velg versjonen til ${GP}` })).toBeVisible();
		await expect(conflict.getByRole('button', { name: `Velg versjonen til ${NURSE}` })).toBeVisible();
		await expect(conflict.getByLabel('Eller skriv en ny tekst som erstatter begge')).toBeVisible();
		// The plan shows one of the two texts as written, never a mix of both.
		const purpose = page.getByTestId('goals').first().getByRole('listitem').first();
		await expect(purpose).toContainText(new RegExp(`^\\s*(${GP_TEXT}|${NURSE_TEXT})`));
		const summary = page.getByTestId('conflict-summary');
		await expect(summary).toContainText('Én del av planen har to versjoner som må avklares');
		await expect(summary.getByRole('link', { name: 'To versjoner av formålet' })).toBeVisible();
	}
	expect(await wcagViolations(nurse)).toEqual([]);
	const targets = nurse.getByTestId('conflict').getByRole('button').or(nurse.getByTestId('conflict-summary').getByRole('link'));
	for (const box of await targets.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()))) {
		expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(44);
	}

	// Pål's daughter sees the conflict marked, and cannot choose.
	const daughter = await tablet(browser, relatives.palDaughter.name);
	const marked = daughter.getByTestId('conflict');
	await expect(marked).toContainText('To versjoner av formålet');
	await expect(marked).toContainText('Behandlingsteamet har endret dette samtidig');
	await expect(marked.getByRole('button')).toHaveCount(0);
	expect(await wcagViolations(daughter)).toEqual([]);

	await nurse.getByRole('button', { name: `Velg versjonen til ${GP}` }).click();
	for (const page of [nurse, gp, daughter]) {
		await expect(page.getByTestId('conflict')).toHaveCount(0, { timeout: 30_000 });
		await expect(page.getByText(GP_TEXT)).toBeVisible();
		await expect(page.getByText(NURSE_TEXT)).toHaveCount(0);
		await expect(page.getByTestId('conflict-summary')).toHaveCount(0);
	}
	// The register took the nurse's choice: nothing was set aside.
	await allSent(nurse);
	await expect(nurse.getByText('lagt til side')).toHaveCount(0);
});
