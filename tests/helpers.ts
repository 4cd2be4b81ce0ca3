import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { summarize } from '../src/lib/domain/worklist';
import { clinicians, demoPatients } from '../src/lib/fixtures';
import type { FixturePatient } from '../src/lib/fixtures/support';

/** The home-care nurse in Rana, the user most browser tests log in as (her patients: Pål and Solveig). */
export const ranaNurse = clinicians.ranaNurse.name;

/** The device PIN the browser tests choose after logging in. */
export const TEST_PIN = '2580';

/** The demo patients a clinician is on the care team of: the patients their tablet receives. */
export function patientsOf(clinicianId: string): FixturePatient[] {
	return demoPatients.filter((p) => summarize(p.plan, []).team.includes(clinicianId));
}

/** Opens the app online and waits until the service worker controls the page (app cached). */
export async function openAndCache(page: Page, path = '/'): Promise<void> {
	await page.goto(path);
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
}

/** WCAG 2.1 A and AA violations on the current page, as readable lines. */
export async function wcagViolations(page: Page, only?: readonly string[]): Promise<string[]> {
	// A dialog fades in over 300 ms (the design system's animation): axe on a busy machine measured
	// its text's contrast half-faded and reported a violation the finished dialog does not have.
	await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
	const builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
	// `only`: the selectors of the parts to check, where the whole page is too large to check quickly.
	for (const selector of only ?? []) builder.include(selector);
	const result = await builder.analyze();
	return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Chooses the device PIN on the screen the app shows after the first login on a device. */
export async function choosePin(page: Page, pin = TEST_PIN): Promise<void> {
	await page.getByLabel('Ny PIN-kode (4–6 sifre)').fill(pin);
	await page.getByLabel('Gjenta PIN-koden').fill(pin);
	await page.getByRole('button', { name: 'Lagre PIN-koden' }).click();
}

/**
 * Logs the page's tablet in through the embedded OpenID provider as the demo user named `name`
 * (its real login page: authorization code, PKCE, the app's session cookie), chooses the device
 * PIN if this device asks for one, and waits until the app shows who is logged in. `base` is the
 * server's address when it is not the config's.
 */
export async function logIn(page: Page, name: string, base = '', pin = TEST_PIN): Promise<void> {
	await page.goto(`${base}/auth/login`);
	await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
	const setup = page.getByTestId('pin-setup');
	const signedIn = page.getByTestId('signed-in').filter({ hasText: name });
	await setup.or(signedIn).first().waitFor({ timeout: 20_000 });
	if (await setup.isVisible()) await choosePin(page, pin);
	await signedIn.waitFor({ timeout: 20_000 });
}

/** Opens the lock screen's lock with the PIN. */
export async function unlock(page: Page, pin = TEST_PIN): Promise<void> {
	await page.getByLabel('PIN-kode', { exact: true }).fill(pin);
	await page.getByRole('button', { name: 'Lås opp' }).click();
}

/** Records, in the page, every text the sync progress line showed, in order, as the DOM changes; read it with `progressSeen`. */
export async function recordProgress(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const seen: string[] = [];
		(globalThis as { progressSeen?: string[] }).progressSeen = seen;
		const note = () => {
			const text = document.querySelector('[data-testid="sync-progress"]')?.textContent?.trim();
			if (text && seen.at(-1) !== text) seen.push(text);
		};
		addEventListener('DOMContentLoaded', () => new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true }));
	});
}

/** The progress texts `recordProgress` saw so far. */
export const progressSeen = (page: Page): Promise<string[]> => page.evaluate(() => (globalThis as { progressSeen?: string[] }).progressSeen ?? []);

/**
 * Clicks `button`, which logs out, and waits until the wiped app has loaded afresh at its list
 * address and shows the login screen: a logout ends in a reload, and the login screen already
 * shows before it. A test that ended there would close its context in mid-navigation, which
 * Chromium 156 then never finished doing (the test's teardown outlasted its timeout).
 */
export async function logOutWith(button: Locator): Promise<void> {
	const page = button.page();
	const reloaded = page.waitForEvent('load');
	await button.click();
	await reloaded;
	await expect(page.getByTestId('login-screen')).toBeVisible({ timeout: 20_000 });
}
