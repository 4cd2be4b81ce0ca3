import { expect, test, type Page } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, progressSeen, recordProgress, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

const nurse = clinicians.ranaNurse.name;
const EXTRA = 300;


test('a fresh tablet shows how far it has come while it loads its plans', async ({ browser }) => {
	test.setTimeout(240_000);
	// The Rana nurse's caseload: the demo's two patients and 300 generated ones, about 3 MiB of plans.
	const server = serverProcess(4381, undefined, { DBEP_DEMO_EXTRA_PATIENTS: String(EXTRA) });
	await server.start();
	try {
		const context = await browser.newContext();
		// The register's frames wait until the nurse is logged in and the page that shows the count is up:
		// loaded faster than she chooses her PIN, the count would be over before it could be seen.
		let loggedIn = false;
		const waiting: (() => void)[] = [];
		await context.routeWebSocket(/\/sync$/, (ws) => {
			const register = ws.connectToServer();
			register.onMessage((m) => (loggedIn ? ws.send(m) : waiting.push(() => ws.send(m))));
		});
		const page = await context.newPage();
		await recordProgress(page);
		await logIn(page, nurse, server.url);
		loggedIn = true;
		for (const send of waiting.splice(0)) send();

		const total = EXTRA + 2;
		await expect(page.getByTestId('patient-row')).toHaveCount(total, { timeout: 120_000 });
		await expect(page.getByTestId('sync-progress')).toBeHidden();
		await expect(page.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt');
		await expect(page.getByTestId('last-synced')).toContainText('Sist synkronisert');

		const seen = await progressSeen(page);
		const counts = seen.map((text) => {
			const m = /^Henter planer: (\d+) av (\d+)$/.exec(text);
			expect(m, `progress line "${text}"`).not.toBeNull();
			return [Number(m![1]), Number(m![2])] as const;
		});
		// It showed how many were coming before they were all in, and never went backwards. (Whether a
		// count between 0 and the total is ever in the page depends on how many frames the plans take,
		// two here, and on when the page updates between them: not asserted, so the test cannot flake.)
		expect(counts.some(([received]) => received < total)).toBe(true);
		for (let i = 1; i < counts.length; i++) expect(counts[i]![0]).toBeGreaterThan(counts[i - 1]![0]);
		expect(counts.every(([, of]) => of === total)).toBe(true);

		expect(await wcagViolations(page)).toEqual([]);
	} finally {
		await server.dispose();
	}
});

test('“Synkroniser nå” reconnects at once while the tablet waits to retry an unreachable server', async ({ browser }) => {
	test.setTimeout(240_000);
	const server = serverProcess(4382);
	await server.start();
	try {
		const page = await (await browser.newContext()).newPage();
		await logIn(page, nurse, server.url);
		await page.goto(`${server.url}/patients/${pal.patientId}`);
		await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible({ timeout: 30_000 });
		await expect(page.getByTestId('connectivity')).toHaveText('Tilkoblet');

		// The register goes away; the tablet has network, so it keeps retrying, waiting longer each time.
		const attempts: number[] = [];
		page.on('websocket', (ws) => ws.url().endsWith('/sync') && attempts.push(Date.now()));
		await server.kill();
		await expect(page.getByTestId('connectivity')).toHaveText('Kobler til serveren …');
		await page.getByLabel('Skriv en kommentar').fill('Skrevet mens registeret var nede.');
		await page.getByRole('button', { name: 'Legg til kommentar' }).last().click();
		await expect(page.getByTestId('unsynced-count')).toHaveText('1 pasient har endringer som ikke er sendt');

		// Wait until the tablet has just made an attempt after a wait of 12 s or more: its next wait is
		// at least as long (the backoff doubles, with jitter between half and all of it).
		await expect.poll(() => (attempts.length > 1 ? attempts.at(-1)! - attempts.at(-2)! : 0), { timeout: 120_000, intervals: [250] }).toBeGreaterThanOrEqual(12_000);
		const lastAttempt = attempts.at(-1)!;
		await server.start();
		// Back, but the tablet is still waiting: nothing has reached the register yet.
		await expect(page.getByTestId('unsynced-count')).toHaveText('1 pasient har endringer som ikke er sendt');

		// The press opens a socket within 2 s, while the tablet's own retry is not due for 12 s after its last attempt.
		const pressedAt = Date.now();
		expect(pressedAt + 2_000 - lastAttempt).toBeLessThan(12_000);
		const reconnect = page.waitForEvent('websocket', { timeout: 2_000 });
		await page.getByTestId('sync-now').click();
		await reconnect;
		await expect(page.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt', { timeout: 20_000 });
		await expect(page.getByTestId('connectivity')).toHaveText('Tilkoblet');
		expect(await wcagViolations(page)).toEqual([]);

		// Nothing was refused: no set-aside notice, and the page for them says there is nothing.
		await expect(page.getByTestId('set-aside-notice')).toHaveCount(0);
		await page.goto(`${server.url}/set-aside`);
		await expect(page.getByRole('heading', { level: 1, name: 'Endringer lagt til side' })).toBeVisible();
		await expect(page.getByTestId('set-aside-empty')).toHaveText('Ingen endringer er lagt til side på dette nettbrettet.');
		expect(await wcagViolations(page)).toEqual([]);
	} finally {
		await server.dispose();
	}
});

test('work written offline after the nurse left the care team is set aside, shown, and discarded only when she says so', async ({ browser }) => {
	test.setTimeout(240_000);
	const server = serverProcess(4383);
	await server.start();
	try {
		const tablet = async (name: string) => {
			const page = await (await browser.newContext()).newPage();
			await logIn(page, name, server.url);
			await expect(page.getByTestId('patient-list')).toBeVisible({ timeout: 30_000 });
			return page;
		};
		const row = (page: Page, name: string) => page.getByRole('link', { name, exact: true });
		const note = 'Pål var urolig i natt, datteren er varslet.';

		// The Rana nurse writes in Pål's plan with no network.
		const rana = await tablet(nurse);
		await row(rana, pal.patient.name).click();
		await expect(rana.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible({ timeout: 30_000 });
		await rana.context().setOffline(true);
		await expect(rana.getByTestId('connectivity')).toHaveText('Frakoblet – alt lagres på nettbrettet');
		await rana.getByLabel('Skriv en kommentar').fill(note);
		await rana.getByRole('button', { name: 'Legg til kommentar' }).last().click();
		await expect(rana.getByTestId('unsynced-count')).toHaveText('1 pasient har endringer som ikke er sendt');

		// Meanwhile the GP ends her membership of Pål's care team.
		const gp = await tablet(clinicians.bodoGp.name);
		await row(gp, pal.patient.name).click();
		const team = gp.getByRole('region', { name: 'Behandlingsteam' });
		await team.getByRole('button', { name: `Avslutt ${nurse} i teamet` }).click();
		await gp.getByRole('alertdialog').getByRole('button', { name: 'Avslutt i teamet' }).click();
		await expect(gp.getByTestId('care-team')).not.toContainText(nurse);
		// Only once the register holds the GP's change has the nurse lost access there.
		await expect(gp.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt', { timeout: 30_000 });

		// Back online: the register refuses her change; the tablet sets it aside, says whose and why, and Pål leaves it.
		await rana.context().setOffline(false);
		const notice = rana.getByTestId('set-aside-notice');
		await expect(notice).toContainText(`Behandlingsplanregisteret tok ikke imot endringer for ${pal.patient.name}.`, { timeout: 30_000 });
		await expect(notice).toContainText('Du har ikke lenger tilgang til pasienten');
		await expect(rana.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt');
		await rana.getByRole('link', { name: 'Behandlingsplan', exact: true }).click();
		await expect(row(rana, pal.patient.name)).toHaveCount(0);
		await expect(notice).toBeVisible();
		expect(await wcagViolations(rana)).toEqual([]);

		await notice.getByRole('link', { name: 'Se hva som er lagt til side' }).click();
		const item = rana.getByTestId('set-aside-item');
		await expect(item).toHaveCount(1);
		await expect(item.getByRole('heading', { level: 2 })).toHaveText(`${pal.patient.name} – I planen`);
		await expect(item.getByTestId('set-aside-why')).toContainText('Du har ikke lenger tilgang til pasienten');
		await expect(item).toContainText('Planen er fjernet fra nettbrettet fordi du ikke lenger har tilgang.');
		await expect(item.getByTestId('set-aside-changes')).toHaveText(`Kommentar (ny): «${note}»`);
		await expect(item.getByRole('button', { name: 'Last ned kopi' })).toHaveCount(0);
		expect(await wcagViolations(rana)).toEqual([]);

		// Discarding asks once more, saying it cannot be undone.
		await item.getByRole('button', { name: 'Forkast' }).click();
		await expect(item).toContainText('kan ikke hentes tilbake');
		expect(await wcagViolations(rana)).toEqual([]);
		await item.getByRole('button', { name: 'Ja, forkast' }).click();
		await expect(rana.getByTestId('set-aside-empty')).toBeVisible();
		await expect(notice).toHaveCount(0);
	} finally {
		await server.dispose();
	}
});
