import type { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Opens the app online and waits until the service worker controls the page (app cached). */
export async function openAndCache(page: Page, path = '/'): Promise<void> {
	await page.goto(path);
	await page.waitForFunction(() => navigator.serviceWorker?.controller != null, undefined, { timeout: 30_000 });
}

/** WCAG 2.1 A and AA violations on the current page, as readable lines. */
export async function wcagViolations(page: Page): Promise<string[]> {
	const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
	return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Logs the page's tablet in through the embedded OpenID provider as the demo user named `name`
 * (its real login page: authorization code, PKCE, the app's session cookie), and waits until the
 * app shows who is logged in. `base` is the server's address when it is not the config's.
 */
export async function logIn(page: Page, name: string, base = ''): Promise<void> {
	await page.goto(`${base}/auth/login`);
	await page.getByRole('button', { name: new RegExp(`^${name}`) }).click();
	await page.getByTestId('signed-in').filter({ hasText: name }).waitFor({ timeout: 20_000 });
}
