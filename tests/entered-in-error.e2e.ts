import { expect, test, type Browser, type Locator, type Page } from './test';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own: this comment must not meet other tests' changes to Pål's plan.
let server: ServerProcess;
test.beforeAll(async () => {
	server = serverProcess(4760);
	await server.start();
});
test.afterAll(async () => server.dispose());

/** A tablet logged in as `name`, at Pål's plan once its first sync has brought it. */
async function palsPlan(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await page.goto(`${server.url}/`);
	await page.getByRole('link', { name: pal.patient.name }).click({ timeout: 30_000 });
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	return page;
}

/** Buttons and fields under `scope` smaller than 44 × 44 px. */
async function smallTargets(scope: Locator): Promise<string[]> {
	return scope.locator('button, input, textarea').evaluateAll((els) =>
		els.map((e) => [e.textContent?.trim() || e.id, e.getBoundingClientRect()] as const).filter(([, r]) => r.height < 44 || r.width < 44).map(([what, r]) => `${what}: ${Math.round(r.width)}×${Math.round(r.height)}`)
	);
}

const TEXT = 'Pål fikk øyedråpene av datteren i dag.';
const REASON = 'Gjaldt en annen pasient';
const planComments = (page: Page) => page.locator('section[aria-labelledby="plan-comments"]');
const theComment = (page: Page) => planComments(page).getByTestId('comment').filter({ hasText: TEXT });

/** The comment as a marked one reads: its text struck through, "Feilregistrert" in words, who marked it and why. */
async function expectMarked(page: Page, by: string) {
	const comment = theComment(page);
	await expect(comment.locator('s')).toHaveText(TEXT, { timeout: 30_000 });
	const mark = comment.getByTestId('error-mark');
	await expect(mark).toContainText('Feilregistrert');
	await expect(mark).toContainText(`Markert av ${by}`);
	await expect(mark).toContainText(`Begrunnelse: ${REASON}`);
	await expect(comment.getByRole('button', { name: /^Marker som feilregistrert/ })).toHaveCount(0);
}

test("the GP marks the nurse's comment entered in error with a reason; both tablets keep it in view, struck through and marked", async ({ browser }) => {
	const nurse = await palsPlan(browser, ranaNurse);
	await planComments(nurse).getByLabel('Skriv en kommentar').fill(TEXT);
	await planComments(nurse).getByRole('button', { name: 'Legg til kommentar' }).click();
	await expect(theComment(nurse)).toBeVisible();
	await expect(nurse.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const gp = await palsPlan(browser, clinicians.bodoGp.name);
	const comment = theComment(gp);
	await expect(comment).toBeVisible({ timeout: 30_000 });
	await comment.getByRole('button', { name: `Marker som feilregistrert: ${TEXT}` }).click();
	const form = comment.getByRole('form', { name: 'Marker som feilregistrert' });
	await form.getByRole('button', { name: 'Marker som feilregistrert' }).click();
	await expect(form.getByLabel('Hvorfor er dette feilregistrert?')).toHaveAttribute('aria-invalid', 'true');
	expect(await wcagViolations(gp)).toEqual([]);
	expect(await smallTargets(comment)).toEqual([]);
	await form.getByLabel('Hvorfor er dette feilregistrert?').fill(REASON);
	await form.getByRole('button', { name: 'Marker som feilregistrert' }).click();
	await expectMarked(gp, clinicians.bodoGp.name);
	expect(await wcagViolations(gp)).toEqual([]);
	await expect(gp.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	// The register took the mark (it refuses any other change to another's entry) and sends it on.
	await expectMarked(nurse, clinicians.bodoGp.name);
	expect(await wcagViolations(nurse)).toEqual([]);
});

test('Pål marks his own "what matters" entry entered in error on his phone; the nurse sees it struck through and marked by him', async ({ browser }) => {
	const own = 'Jeg vil klare å gå til postkassen hver dag.';
	const why = 'Skrevet i feil felt';
	const phone = await palsPlan(browser, pal.patient.name);
	const section = phone.locator('section[aria-labelledby="pv-what-matters"]');
	await section.getByLabel('Skriv med egne ord hva som er viktig').fill(own);
	await section.getByRole('button', { name: 'Lagre' }).click();
	const entry = section.getByTestId('what-matters-entry').filter({ hasText: own });
	await expect(entry).toBeVisible();
	await entry.getByRole('button', { name: `Marker som feilregistrert: ${own}` }).click();
	const form = entry.getByRole('form', { name: 'Marker som feilregistrert' });
	await form.getByLabel('Hvorfor er dette feilregistrert?').fill(why);
	await form.getByRole('button', { name: 'Marker som feilregistrert' }).click();
	await expect(entry.locator('s')).toHaveText(`«${own}»`);
	await expect(entry.getByTestId('error-mark')).toContainText(`Markert av ${pal.patient.name}`);
	await expect(entry.getByTestId('error-mark')).toContainText(`Begrunnelse: ${why}`);
	expect(await wcagViolations(phone)).toEqual([]);
	expect(await smallTargets(entry)).toEqual([]);
	// The register took both (it refuses a mark by someone the rules do not allow), and the care team sees the mark.
	await expect(phone.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	const nurse = await palsPlan(browser, ranaNurse);
	const seen = nurse.getByTestId('what-matters-entry').filter({ hasText: own });
	await expect(seen.getByTestId('error-mark')).toContainText(`Markert av ${pal.patient.name}`, { timeout: 30_000 });
	await expect(seen.locator('s')).toContainText(own);
});
