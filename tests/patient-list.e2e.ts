import { expect, test, type Locator, type Page } from './test';
import { osloInstant, osloParts } from '../src/lib/domain/time';
import { solveig } from '../src/lib/fixtures';
import { syntheticPatients } from '../src/lib/fixtures/generate';
import { logIn, openAndCache, ranaNurse, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

const MULTIDOSE = 'Legemidler fra multidose';
/** An entry that says the measure was done: "Utført", but not "Ikke utført". */
const DONE = /(?<!ikke )utført/i;

/** The tappable things inside the page's main content that are smaller than 44×44 px, named. */
async function smallTargets(page: Page): Promise<string[]> {
	return page.locator('main').evaluate((main) =>
		[...main.querySelectorAll<HTMLElement>('a, button, input, select, textarea, summary, [role="button"]')]
			.filter((el) => el.getClientRects().length > 0)
			.map((el) => ({ el, box: el.getBoundingClientRect() }))
			.filter(({ box }) => box.width < 44 || box.height < 44)
			.map(({ el, box }) => `${el.tagName} "${el.textContent?.trim() ?? ''}" ${Math.round(box.width)}×${Math.round(box.height)}`)
	);
}

const shown = (page: Page): Locator => page.getByTestId('patient-row').filter({ visible: true });

test('a dose recorded as not given shows on the list as not done, with the reason, never as done', async ({ page }) => {
	// A register of its own: the shared one's other tests record Solveig's visits too.
	const server = serverProcess(4403);
	await server.start();
	try {
		// Ten in the morning: Solveig's 08:30 dose is more than an hour late.
		await page.clock.setFixedTime(osloInstant(osloParts(new Date()).date, '10:00'));
		await logIn(page, ranaNurse, server.url);
		await openAndCache(page, `${server.url}/`);
		const row = page.getByTestId('patient-row').filter({ hasText: solveig.patient.name });
		const dose = row.getByTestId('list-measure').filter({ hasText: MULTIDOSE });
		await expect(dose).toContainText('08:30');
		await expect(dose.getByTestId('list-measure-state')).toHaveText('Forsinket');

		await row.getByRole('link', { name: solveig.patient.name }).click();
		const item = page.getByTestId('visit-item').filter({ hasText: MULTIDOSE });
		await item.getByRole('button', { name: 'Ikke utført', exact: true }).click();
		await item.getByLabel('Klokkeslett').fill('08:40');
		await item.getByLabel('Årsak').fill('Pasienten kastet opp, lege varslet');
		await item.getByRole('button', { name: 'Registrer som ikke utført' }).click();
		await expect(item.getByTestId('visit-recorded')).toHaveText('Ikke utført kl. 08:40');

		await page.goto(`${server.url}/`);
		await expect(dose.getByTestId('list-measure-state')).toHaveText('Ikke utført kl. 08:40');
		await expect(dose).toContainText('Årsak: Pasienten kastet opp, lege varslet');
		await expect(dose).not.toContainText(DONE);
		expect(await wcagViolations(page)).toEqual([]);
		expect(await smallTargets(page)).toEqual([]);
	} finally {
		await server.dispose();
	}
});

test('a caseload of 600: the first 500 on the page and more on request, search by name, birth date and national ID, and the day’s visits', async ({ browser }) => {
	test.setTimeout(300_000);
	const EXTRA = 598;
	const server = serverProcess(4401, undefined, { DBEP_DEMO_EXTRA_PATIENTS: String(EXTRA) });
	// The register's generated patients, as `ranaCaseload` makes them.
	const caseload = syntheticPatients(EXTRA, 7).map((p) => p.patient);
	// Generated patients whose name no other patient shares.
	const unique = caseload.filter((p) => caseload.filter((q) => q.name === p.name).length === 1);
	try {
		// Seeding 598 plans on a busy machine can outlast the start's minute: then wait for it longer.
		await server.start().catch(() => expect.poll(() => fetch(`${server.url}/healthz`).then((r) => r.ok, () => false), { timeout: 180_000 }).toBe(true));
		const page = await (await browser.newContext()).newPage();
		await logIn(page, ranaNurse, server.url);
		// The page holds 500 cards, says so, and offers the rest.
		await expect(page.getByTestId('list-count')).toHaveText('Viser 500 av 600 pasienter', { timeout: 180_000 });
		await expect(shown(page)).toHaveCount(500);
		await expect(page.getByRole('button', { name: 'Vis flere pasienter (100 til)' })).toBeVisible();
		expect(await smallTargets(page)).toEqual([]);
		// 500 cards take axe 20 s: the parts this state adds (the whole list is checked below, narrowed).
		expect(await wcagViolations(page, ['[data-testid="list-count"]', '[data-testid="list-more"]'])).toEqual([]);
		// A patient past the first 500: not on the page, and found by the search.
		const onPage = new Set((await page.getByTestId('patient-row').getByRole('link').allTextContents()).map((t) => t.trim()));
		const target = unique.find((p) => !onPage.has(p.name))!;
		expect(target).toBeDefined();
		const born = target.birthDate.split('-').reverse().join('.');
		const nationalId = target.nationalId ?? '';
		const search = page.getByLabel('Søk etter pasient');
		const targetRow = page.getByTestId('patient-row').filter({ hasText: target.name });

		await search.fill(target.name.toLocaleLowerCase('nb'));
		await expect(page.getByTestId('list-count')).toHaveText('Viser 1 av 600 pasienter');
		await expect(shown(page)).toHaveCount(1);
		await expect(targetRow).toBeVisible();
		expect(await wcagViolations(page)).toEqual([]);

		await search.fill(born);
		const sameBirthDate = caseload.filter((p) => p.birthDate === target.birthDate).length;
		await expect(shown(page)).toHaveCount(sameBirthDate);
		await expect(targetRow).toBeVisible();

		expect(nationalId).toMatch(/^\d{11}$/);
		await search.fill(`${nationalId.slice(0, 6)} ${nationalId.slice(6)}`);
		await expect(shown(page)).toHaveCount(1);
		await expect(targetRow).toBeVisible();

		await search.fill('Finnes Ikke Noensinne');
		await expect(page.getByTestId('list-count')).toHaveText('Ingen pasienter passer søket.');
		await expect(shown(page)).toHaveCount(0);

		// Today's visits only: every card left has a measure today.
		await search.fill('');
		await page.getByRole('button', { name: 'Besøk i dag' }).click();
		await expect(page.getByRole('button', { name: 'Besøk i dag' })).toHaveAttribute('aria-pressed', 'true');
		const visits = Number((/Viser (\d+) av 600/.exec((await page.getByTestId('list-count').textContent()) ?? '') ?? [])[1]);
		expect(visits).toBeGreaterThan(0);
		expect(visits).toBeLessThan(600);
		await expect(shown(page).filter({ hasText: 'Ingen tiltak i dag' })).toHaveCount(0);
		await expect(shown(page)).toHaveCount(visits);
		expect(await wcagViolations(page)).toEqual([]);
		expect(await smallTargets(page)).toEqual([]);
		await page.getByRole('button', { name: 'Alle pasienter' }).click();
		await expect(shown(page)).toHaveCount(500);
		await page.getByRole('button', { name: 'Vis flere pasienter (100 til)' }).click();
		await expect(shown(page)).toHaveCount(600);
		await expect(page.getByTestId('list-count')).toHaveText('Viser 600 av 600 pasienter');
		await expect(page.getByRole('button', { name: /Vis flere pasienter/ })).toHaveCount(0);

		// A tap anywhere on a card opens the patient's plan.
		await search.fill(target.name);
		const box = await targetRow.getByText(target.municipality).first().boundingBox();
		expect(box).not.toBeNull();
		await page.mouse.click(box!.x + 5, box!.y + box!.height / 2);
		await expect(page.getByRole('heading', { level: 1, name: target.name })).toBeVisible();
	} finally {
		await server.dispose();
	}
});
