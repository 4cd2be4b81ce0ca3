import { expect, test, type Page } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, openAndCache, patientsOf, ranaNurse } from './helpers';

/** Changes the stored chunks of one document directly in IndexedDB, as damage would. */
async function damage(page: Page, docId: string, how: 'flip' | 'delete'): Promise<number> {
	return page.evaluate(
		async ({ docId, how }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open('dbep');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			const tx = db.transaction('chunks', 'readwrite');
			const store = tx.objectStore('chunks');
			const rows = await new Promise<{ key: string; bytes: Uint8Array }[]>((resolve) => {
				const req = store.getAll(IDBKeyRange.bound(`${docId}|`, `${docId}|\uffff`));
				req.onsuccess = () => resolve(req.result);
			});
			for (const row of rows) {
				if (how === 'delete') store.delete(row.key);
				else {
					const bytes = new Uint8Array(row.bytes);
					for (let i = 8; i < bytes.length; i += 7) bytes[i] = (bytes[i] ?? 0) ^ 0x5a;
					store.put({ ...row, bytes });
				}
			}
			await new Promise((resolve) => (tx.oncomplete = resolve));
			db.close();
			return rows.length;
		},
		{ docId, how }
	);
}

test('a damaged or missing plan gives a clear message and leaves the other patients working', async ({ page }) => {
	// The Rana nurse's tablet holds two plans, Pål's and Solveig's: each is damaged in turn while the other is checked.
	await logIn(page, ranaNurse);
	await openAndCache(page);
	const hers = patientsOf(clinicians.ranaNurse.id);
	await expect(page.getByTestId('patient-row')).toHaveCount(hers.length);
	const second = hers.find((p) => p.patientId !== pal.patientId);
	if (!second) throw new Error('the Rana nurse needs a patient besides Pål');

	// Plans that came by sync are stored unparsed; opening one stores its view.
	for (const p of [pal, second]) {
		await page.goto(`/patients/${p.patientId}`);
		await expect(page.getByRole('heading', { level: 1, name: p.patient.name })).toBeVisible();
	}
	await page.context().setOffline(true);
	await page.goto('/');

	expect(await damage(page, `plan:${pal.patientId}`, 'flip')).toBeGreaterThan(0);
	await page.reload();

	// The list is built from summaries, so every patient is still listed.
	await expect(page.getByTestId('patient-row')).toHaveCount(hers.length);

	// What was last stored is still readable; the damage is told as soon as the plan is parsed.
	await page.getByRole('link', { name: pal.patient.name }).click();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	const damaged = page.getByTestId('plan-damaged');
	await expect(damaged).toContainText('Planen kan bare leses på denne enheten.');
	await expect(damaged).toContainText('Lagret data for planen er skadet.');
	await expect(damaged).toContainText('Andre pasienter er ikke berørt');

	// The other patient is not touched by Pål's damage.
	await page.goto(`/patients/${second.patientId}`);
	await expect(page.getByRole('heading', { level: 1, name: second.patient.name })).toBeVisible();
	await expect(page.getByTestId('visit-item').first()).toBeVisible();
	await expect(page.getByTestId('plan-error')).toHaveCount(0);
	await expect(page.getByTestId('plan-damaged')).toHaveCount(0);

	// Now the other plan's chunks go missing: it says so, and both are still listed.
	expect(await damage(page, `plan:${second.patientId}`, 'delete')).toBeGreaterThan(0);
	await page.goto('/');
	await expect(page.getByTestId('patient-row')).toHaveCount(hers.length);
	await page.goto(`/patients/${second.patientId}`);
	await expect(page.getByRole('heading', { level: 1, name: second.patient.name })).toBeVisible();
	await expect(page.getByTestId('plan-damaged')).toContainText('Lagret data for planen er ufullstendig.');

	// Without a stored view, nothing can be shown: a clear message instead of the plan.
	await page.evaluate(() => new Promise((resolve) => {
		const req = indexedDB.open('dbep');
		req.onsuccess = () => {
			const tx = req.result.transaction('views', 'readwrite');
			tx.objectStore('views').clear();
			tx.oncomplete = () => { req.result.close(); resolve(null); };
		};
	}));
	await page.goto(`/patients/${pal.patientId}`);
	const alert = page.getByTestId('plan-error');
	await expect(alert).toContainText('Planen for denne pasienten kan ikke leses på denne enheten.');
	await expect(alert).toContainText('Andre pasienter er ikke berørt');
});
