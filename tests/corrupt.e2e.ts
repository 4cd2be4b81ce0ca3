import { expect, test, type Page } from '@playwright/test';
import { demoPatients, pal } from '../src/lib/fixtures';
import { openAndCache } from './helpers';

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
				const req = store.index('docId').getAll(docId);
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
	await openAndCache(page);
	await expect(page.getByTestId('patient-row')).toHaveCount(demoPatients.length);
	const [, second, third] = demoPatients.filter((p) => p.patientId !== pal.patientId);
	if (!second || !third) throw new Error('the demo cast needs at least three other patients');

	expect(await damage(page, `plan:${pal.patientId}`, 'flip')).toBeGreaterThan(0);
	expect(await damage(page, `plan:${second.patientId}`, 'delete')).toBeGreaterThan(0);
	await page.reload();

	// The list is built from summaries, so every patient is still listed.
	await expect(page.getByTestId('patient-row')).toHaveCount(demoPatients.length);

	await page.getByRole('link', { name: pal.patient.name }).click();
	const alert = page.getByTestId('plan-error');
	await expect(alert).toContainText('Planen for denne pasienten kan ikke leses på denne enheten.');
	await expect(alert).toContainText('Andre pasienter er ikke berørt');

	await page.goto(`/patients/${second.patientId}`);
	await expect(page.getByTestId('plan-error')).toContainText('Fant ikke pasienten på denne enheten.');

	await page.goto(`/patients/${third.patientId}`);
	await expect(page.getByRole('heading', { level: 1, name: third.patient.name })).toBeVisible();
	await expect(page.getByTestId('plan-error')).toHaveCount(0);
});
