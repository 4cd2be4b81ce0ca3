import { expect, test, type Browser, type Page } from './test';
import { WebSocket } from 'ws';
import { clinicians, demoPatients, pal, solveig } from '../src/lib/fixtures';
import { choosePin, logIn, logOutWith, ranaNurse, TEST_PIN, unlock, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// Its own server: the offline shift records a visit on Pål's plan that other tests must not see.
let server: ServerProcess;

test.beforeAll(async () => {
	server = serverProcess(4281);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A fresh tablet logged in as `name`, with its plans synced and the app cached for offline use. */
async function tablet(browser: Browser, name: string, opts: { clock?: boolean } = {}): Promise<Page> {
	const context = await browser.newContext();
	if (opts.clock) await context.clock.install();
	const page = await context.newPage();
	await logIn(page, name, server.url);
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
	await expect(page.getByRole('link', { name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	return page;
}

/** The status of a WebSocket upgrade to /sync from Node, with the given Cookie header. */
function syncUpgradeStatus(cookie?: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync`, { headers: cookie ? { cookie } : {} });
		ws.once('open', () => (ws.close(), resolve(101)));
		ws.once('unexpected-response', (_, res) => resolve(res.statusCode ?? 0));
		ws.once('error', reject);
	});
}

/** Counts the rows of the device database's tables, opened as it stands. */
function deviceRows(page: Page): Promise<Record<string, number>> {
	return page.evaluate(
		() =>
			new Promise<Record<string, number>>((resolve, reject) => {
				const req = indexedDB.open('dbep');
				req.onerror = () => reject(req.error);
				req.onsuccess = async () => {
					const db = req.result;
					const names = [...db.objectStoreNames];
					const counts: Record<string, number> = {};
					if (names.length) {
						const tx = db.transaction(names, 'readonly');
						await Promise.all(names.map((n) => new Promise<void>((done) => {
							const c = tx.objectStore(n).count();
							c.onsuccess = () => ((counts[n] = c.result), done());
						})));
					}
					db.close();
					resolve(counts);
				};
			})
	);
}

test('without a session: a login screen and no patient data, and /sync and /api refuse the device', async ({ browser }) => {
	const page = await (await browser.newContext()).newPage();
	await page.goto(`${server.url}/`);
	await expect(page.getByRole('heading', { level: 1, name: 'Logg inn' })).toBeVisible({ timeout: 20_000 });
	await expect(page.getByRole('link', { name: 'Logg inn' })).toBeVisible();
	// Give a sync the time it would need, then look: nothing about any patient reached the page or the device.
	await page.waitForTimeout(3_000);
	const html = await page.content();
	for (const p of demoPatients) expect(html).not.toContain(p.patient.name);
	expect((await deviceRows(page)).docs ?? 0).toBe(0);

	// The page's own WebSocket is refused, and so is one from outside the browser, with 401.
	const socket = await page.evaluate(
		(url) =>
			new Promise<string>((resolve) => {
				const ws = new WebSocket(url);
				ws.onopen = () => resolve('open');
				ws.onclose = () => resolve('refused');
			}),
		`${server.url.replace('http', 'ws')}/sync`
	);
	expect(socket).toBe('refused');
	expect(await syncUpgradeStatus()).toBe(401);
	expect(await syncUpgradeStatus('dbep_session=eyJ1c2VyIjp7fX0.forged')).toBe(401);
	expect((await page.request.get(`${server.url}/api/access-log/${pal.patientId}`)).status()).toBe(401);
	expect((await page.request.get(`${server.url}/auth/me`)).status()).toBe(401);

	// The login screen in English, and accessible in both languages.
	expect(await wcagViolations(page)).toEqual([]);
	await page.getByRole('button', { name: 'English' }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Log in' })).toBeVisible();
	expect(await wcagViolations(page)).toEqual([]);
});

test('the offline shift: 12 hours offline, locked, opened with the PIN, a visit recorded, synced without logging in again', async ({ browser }) => {
	test.setTimeout(240_000);
	const page = await tablet(browser, ranaNurse, { clock: true });
	const context = page.context();
	await context.setOffline(true);
	await page.clock.fastForward('12:00:00');

	// Locked: the PIN is asked for, nothing of the patients shows.
	const lock = page.getByTestId('lock-screen');
	await expect(lock).toBeVisible();
	await expect(page.getByLabel('PIN-kode', { exact: true })).toBeFocused();
	await expect(page.getByRole('link', { name: pal.patient.name })).toHaveCount(0);
	await expect(page.getByText(solveig.patient.name)).toBeHidden();

	await unlock(page, '1111');
	await expect(page.getByTestId('pin-wrong')).toHaveText('Feil PIN-kode. Du har 4 forsøk igjen før du må logge inn på nytt.');
	await expect(page.getByLabel('PIN-kode', { exact: true })).toHaveAttribute('aria-invalid', 'true');
	await expect(lock).toBeVisible();
	await unlock(page);
	await expect(lock).toHaveCount(0);
	await expect(page.getByTestId('signed-in')).toHaveText(`Innlogget: ${ranaNurse}`);
	await expect(page.getByTestId('connectivity')).toContainText('Frakoblet');

	// Still offline, 12 hours on: the visit is recorded.
	await page.getByRole('link', { name: pal.patient.name }).click();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	const eyeDrops = page.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' });
	await eyeDrops.getByRole('button', { name: 'Utført', exact: true }).click();
	await eyeDrops.getByLabel('Klokkeslett').fill('08:10');
	await eyeDrops.getByRole('button', { name: 'Registrer som utført' }).click();
	await expect(eyeDrops.getByTestId('visit-recorded')).toHaveText('Utført kl. 08:10');
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

	// Back in coverage: the change goes out by itself, with no login asked for.
	await context.setOffline(false);
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 30_000 });
	await expect(page.getByTestId('login-screen')).toHaveCount(0);

	// The GP in Bodø, on the same (simulated) day, sees the visit from the register.
	const shiftTime = await page.evaluate(() => Date.now());
	const gpContext = await browser.newContext();
	await gpContext.clock.install({ time: shiftTime });
	const gp = await gpContext.newPage();
	await logIn(gp, clinicians.bodoGp.name, server.url);
	await gp.getByRole('link', { name: pal.patient.name }).click({ timeout: 20_000 });
	const seen = gp.getByTestId('visit-item').filter({ hasText: 'Øyedråper daglig' }).getByTestId('visit-recorded');
	await expect(seen).toHaveText('Utført kl. 08:10', { timeout: 20_000 });
});

test('past the session\'s 16 hours offline, the login screen asks for a fresh login and unsent changes stay', async ({ browser }) => {
	test.setTimeout(180_000);
	const page = await tablet(browser, ranaNurse, { clock: true });
	await page.context().setOffline(true);
	await page.getByRole('link', { name: pal.patient.name }).click();
	await page.getByLabel('Skriv en kommentar').fill('Skrevet sent på vakten.');
	await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

	await page.clock.fastForward('17:00:00');
	const login = page.getByTestId('login-screen');
	await expect(login).toContainText('Økten din er utløpt. Logg inn på nytt for å fortsette.');
	await expect(login.getByTestId('unsent-kept')).toContainText('1 pasient har endringer på nettbrettet som ikke er sendt');
	// Logging in needs the identity provider: offline the screen says so instead of leading to an error.
	await expect(login).toContainText('Innlogging krever nett');
	await expect(login.getByRole('button', { name: 'Logg inn' })).toBeDisabled();
	expect(await page.content()).not.toContain(pal.patient.name);
	// Expiry never deletes: the change is still on the device, waiting to be sent after the next login.
	const rows = await deviceRows(page);
	expect(rows.unsynced).toBe(1);
	expect(rows.docs).toBeGreaterThan(0);
	await page.reload();
	await expect(page.getByTestId('login-screen')).toContainText('Økten din er utløpt');
});

test('five wrong PINs forget the PIN and ask for a full login; unsent changes are kept for after it', async ({ browser }) => {
	test.setTimeout(180_000);
	const page = await tablet(browser, ranaNurse);
	await page.getByRole('link', { name: pal.patient.name }).click();
	await page.context().setOffline(true);
	await page.getByLabel('Skriv en kommentar').fill('Kommentar skrevet før låsen.');
	await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

	await page.getByRole('button', { name: 'Lås', exact: true }).click();
	for (let left = 4; left >= 1; left--) {
		await unlock(page, '0000');
		await expect(page.getByTestId('pin-wrong')).toContainText(`${left} forsøk igjen`);
	}
	await unlock(page, '0000');
	const login = page.getByTestId('login-screen');
	await expect(login).toContainText('PIN-koden ble skrevet feil for mange ganger');
	await expect(login).toContainText('Innlogging krever nett');
	await expect(login.getByTestId('unsent-kept')).toContainText('1 pasient har endringer på nettbrettet som ikke er sendt');

	// The right PIN no longer helps: a full login is needed, and then a new PIN.
	await page.context().setOffline(false);
	await page.reload();
	await expect(page.getByTestId('login-screen')).toBeVisible();
	await logIn(page, ranaNurse, server.url);
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 30_000 });
	await page.getByRole('link', { name: pal.patient.name }).click();
	await expect(page.getByText('Kommentar skrevet før låsen.')).toBeVisible();
});

test('logout names the unsent changes; cancel keeps them, confirming wipes the device', async ({ browser }) => {
	test.setTimeout(180_000);
	const page = await tablet(browser, ranaNurse);
	await page.context().setOffline(true);
	await page.getByRole('link', { name: pal.patient.name }).click();
	for (const text of ['Usendt observasjon.', 'Enda en usendt observasjon.']) {
		await page.getByLabel('Skriv en kommentar').fill(text);
		await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
		await expect(page.getByText(text)).toBeVisible();
		await expect(page.getByLabel('Skriv en kommentar')).toHaveValue('');
	}
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');

	await page.getByRole('button', { name: 'Logg ut' }).click();
	const warning = page.getByRole('dialog', { name: 'Endringer som ikke er sendt' });
	await expect(warning).toBeVisible();
	await expect(warning.getByTestId('unsent-patients').getByRole('listitem')).toHaveText([`${pal.patient.name}: 2 endringer`]);
	await expect(warning.getByRole('button', { name: 'Avbryt og behold endringene' })).toBeFocused();
	expect(await wcagViolations(page)).toEqual([]);

	await warning.getByRole('button', { name: 'Avbryt og behold endringene' }).click();
	await expect(warning).toBeHidden();
	await expect(page.getByTestId('signed-in')).toBeVisible();
	await expect(page.getByText('Enda en usendt observasjon.')).toBeVisible();
	expect((await deviceRows(page)).unsynced).toBe(1);

	await page.getByRole('button', { name: 'Logg ut' }).click();
	// The wiped tablet starts afresh at the list's address (offline: from the cached app).
	await logOutWith(warning.getByRole('button', { name: 'Logg ut og slett endringene' }));
	await expect(page).toHaveURL(`${server.url}/`);
	const rows = await deviceRows(page);
	for (const table of ['chunks', 'docs', 'views', 'summaries', 'unsynced', 'pins', 'syncStates']) expect(rows[table] ?? 0, table).toBe(0);
	expect(await page.evaluate(() => localStorage.getItem('dbep.account'))).toBeNull();
	expect(await page.content()).not.toContain(pal.patient.name);

	// The session cookie outlived the offline logout; back online, it opens nothing.
	await page.context().setOffline(false);
	await page.reload();
	await expect(page.getByTestId('login-screen')).toBeVisible();
	await page.waitForTimeout(2_000);
	await expect(page.getByTestId('login-screen')).toBeVisible();
	expect((await deviceRows(page)).docs ?? 0).toBe(0);
	expect((await page.request.get(`${server.url}/auth/me`)).status()).toBe(401);
});

test('logout with everything sent goes straight out; the next person must log in themselves', async ({ browser }) => {
	const page = await tablet(browser, ranaNurse);
	await logOutWith(page.getByRole('button', { name: 'Logg ut' }));
	await expect(page).toHaveURL(`${server.url}/`);
	await page.getByRole('link', { name: 'Logg inn' }).click();
	// The provider asks who is logging in: the last user's session there does not carry over.
	await expect(page.getByRole('button', { name: new RegExp(`^${clinicians.altaNurse.name}`) })).toBeVisible();
});

test('the PIN screens are accessible: labelled, numeric, focus on the PIN, errors announced', async ({ browser }) => {
	const page = await (await browser.newContext()).newPage();
	await page.goto(`${server.url}/auth/login`);
	await page.getByRole('button', { name: new RegExp(`^${ranaNurse}`) }).click();
	const first = page.getByLabel('Ny PIN-kode (4–6 sifre)');
	await expect(first).toBeFocused({ timeout: 20_000 });
	for (const field of [first, page.getByLabel('Gjenta PIN-koden')]) {
		await expect(field).toHaveAttribute('inputmode', 'numeric');
		await expect(field).toHaveAttribute('autocomplete', 'off');
	}
	expect(await wcagViolations(page)).toEqual([]);
	await choosePin(page, '12');
	await expect(page.getByRole('alert')).toHaveText('PIN-koden må være 4 til 6 sifre.');
	await first.fill('1234');
	await page.getByLabel('Gjenta PIN-koden').fill('4321');
	await page.getByRole('button', { name: 'Lagre PIN-koden' }).click();
	await expect(page.getByRole('alert')).toHaveText('PIN-kodene er ikke like. Skriv den samme to ganger.');
	expect(await wcagViolations(page)).toEqual([]);
	await choosePin(page, TEST_PIN);
	await expect(page.getByTestId('signed-in')).toBeVisible();

	await page.getByRole('button', { name: 'Lås', exact: true }).click();
	const pin = page.getByLabel('PIN-kode', { exact: true });
	await expect(pin).toBeFocused();
	await expect(pin).toHaveAttribute('inputmode', 'numeric');
	await expect(pin).toHaveAttribute('autocomplete', 'off');
	expect(await wcagViolations(page)).toEqual([]);
	await unlock(page, '9999');
	await expect(page.getByRole('alert')).toContainText('Feil PIN-kode');
	expect(await wcagViolations(page)).toEqual([]);
	await unlock(page);
	await expect(page.getByTestId('signed-in')).toBeVisible();
});

test('a colleague picking up a locked tablet can log out instead of guessing a PIN: the warning counts unsent changes without naming patients', async ({ browser }) => {
	const page = await tablet(browser, ranaNurse);
	await page.getByRole('link', { name: pal.patient.name }).click();
	await page.context().setOffline(true);
	await page.getByLabel('Skriv en kommentar').fill('Skrevet før nettbrettet ble lagt fra seg.');
	await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(page.getByTestId('unsynced-count')).toContainText('1 pasient');
	await page.getByRole('button', { name: 'Lås', exact: true }).click();

	await page.getByRole('button', { name: 'Logg ut og bytt bruker' }).click();
	const warning = page.getByTestId('logout-warning');
	await expect(warning.getByTestId('unsent-patients')).toHaveText('1 pasient har endringer som ikke er sendt.');
	await expect(warning).not.toContainText(pal.patient.name);
	expect(await wcagViolations(page)).toEqual([]);
	await warning.getByRole('button', { name: 'Avbryt og behold endringene' }).click();
	await expect(page.getByTestId('lock-screen')).toBeVisible();

	await page.getByRole('button', { name: 'Logg ut og bytt bruker' }).click();
	await logOutWith(warning.getByRole('button', { name: 'Logg ut og slett endringene' }));
	await expect(page.getByText(pal.patient.name)).toHaveCount(0);
});
