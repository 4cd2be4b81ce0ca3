import { expect, test, type Page } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own (ports 4700–4719 are this file's): its visit records meet no other test's.
let server: ServerProcess;
test.beforeAll(async () => {
	server = serverProcess(4701);
	await server.start();
});
test.afterAll(async () => server.dispose());

/**
 * Makes the browser's next write of a month log's chunk throw as a full disk does: the real
 * IndexedDB in Chromium, with a put that fails once, so the whole transaction aborts.
 */
async function failNextLogChunkPut(page: Page): Promise<void> {
	await page.evaluate(() => {
		const proto = IDBObjectStore.prototype;
		const put = proto.put;
		proto.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
			const docId = (value as { docId?: unknown } | null)?.docId;
			if (this.name !== 'chunks' || typeof docId !== 'string' || !docId.startsWith('log:')) return put.call(this, value, key);
			proto.put = put;
			throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		};
	});
}

test('a visit record the tablet could not store says so, and tapping again makes exactly one record', async ({ page }) => {
	await logIn(page, ranaNurse, server.url);
	await page.goto(`${server.url}/`);
	await page.getByRole('link', { name: pal.patient.name }).click({ timeout: 30_000 });
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();

	const eyeDrops = page.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await eyeDrops.getByRole('button', { name: 'Utført', exact: true }).click();
	await eyeDrops.getByLabel('Klokkeslett').fill('08:40');
	await eyeDrops.getByLabel('Notat (valgfritt)').fill('Begge øyne');
	await failNextLogChunkPut(page);
	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();

	const notSaved = eyeDrops.getByRole('alert').filter({ hasText: 'Ikke lagret' });
	await expect(notSaved).toHaveText('Ikke lagret: enheten kunne ikke lagre. Prøv igjen.');
	// Nothing was recorded, and the form keeps what she typed.
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveCount(0);
	await expect(eyeDrops.getByLabel('Notat (valgfritt)')).toHaveValue('Begge øyne');
	expect(await wcagViolations(page)).toEqual([]);

	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:40');

	/** The eye drops' records as the measure card lists them. */
	const records = async () => {
		const card = page.getByTestId('measure').filter({ has: page.getByRole('heading', { name: 'Øyedråper daglig', exact: true }) });
		await card.getByText(/Siste registreringer/).click();
		return card.getByTestId('record');
	};
	await expect(await records()).toHaveCount(1);
	await expect(await records()).toContainText('Begge øyne');
	expect(await wcagViolations(page)).toEqual([]);

	await page.reload();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:40');
	await expect(await records()).toHaveCount(1);
	// And the register got that one record, once.
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
});
