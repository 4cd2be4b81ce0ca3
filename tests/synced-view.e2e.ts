// A plan with two years of history, synced to a fresh tablet, opens offline and shows its content:
// the register sent its view with its snapshot, so the tablet holds it before the plan is opened.
import { expect, test } from './test';
import type { Plan } from '../src/lib/domain/plan';
import { clinicians } from '../src/lib/fixtures';
import { caseload, nurseDocuments, seedRegister } from '../src/bench/browser-register';
import { logIn, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

test('a long plan synced to a fresh tablet opens offline from the view sent with it, showing its content', async ({ browser }) => {
	test.setTimeout(600_000);
	// The bench's plans (cached; built on a first run): the first has 1,500 changes of history.
	const plans = await caseload(1, () => undefined);
	const long = plans[0]!;
	const plan = long.value as Plan;
	const measure = Object.values(plan.measures).find((m) => m.status.value === 'active')!;
	const server = serverProcess(4951);
	await seedRegister(server.dataDir, plans);
	await server.start();
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		await logIn(page, clinicians.ranaNurse.name, server.url);
		const rows = page.getByTestId('patient-row');
		await expect(rows).toHaveCount(nurseDocuments(plans).length, { timeout: 120_000 });
		await expect(page.getByTestId('last-synced')).toContainText('Sist synkronisert', { timeout: 60_000 });
		// The view came with the sync: the tablet holds it before anyone opened the plan.
		const held = await page.evaluate(
			(docId) =>
				new Promise<boolean>((resolve, reject) => {
					const open = indexedDB.open('dbep');
					open.onerror = () => reject(open.error);
					open.onsuccess = () => {
						const get = open.result.transaction('views').objectStore('views').get(docId);
						get.onsuccess = () => resolve(get.result !== undefined);
						get.onerror = () => reject(get.error);
					};
				}),
			long.docId
		);
		expect(held).toBe(true);

		await context.setOffline(true);
		await expect(page.getByTestId('connectivity')).toHaveText('Frakoblet – alt lagres på nettbrettet');
		await page.getByLabel('Søk etter pasient').fill(plan.patient.name);
		await page.locator(`a[href="/patients/${long.patientId}"]`).click();
		await expect(page.getByRole('heading', { level: 1, name: plan.patient.name })).toBeVisible({ timeout: 20_000 });
		await expect(page.getByText(measure.title, { exact: true }).first()).toBeVisible();
		expect(await wcagViolations(page)).toEqual([]);
		await context.close();
	} finally {
		await server.dispose();
	}
});
