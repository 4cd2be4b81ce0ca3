import { test as base } from '@playwright/test';

export * from '@playwright/test';

/**
 * Playwright's `test`, which also closes, when a test ends, every browser context the test
 * opened itself with `browser.newContext()`. Playwright closes only the contexts of its own
 * `context` and `page` fixtures; with one worker the browser lives for the whole run, so a
 * tablet a test left open would go on running for the rest of it: its page reconnecting to a
 * register already stopped, its service worker alive. Left to pile up, they once made the
 * closing of a later test's context outlast that test's timeout.
 */
export const test = base.extend<{ ownContextsClosed: void }>({
	ownContextsClosed: [
		async ({ browser }, use) => {
			const before = new Set(browser.contexts());
			await use();
			await Promise.all(browser.contexts().filter((context) => !before.has(context)).map((context) => context.close()));
		},
		{ auto: true }
	]
});
