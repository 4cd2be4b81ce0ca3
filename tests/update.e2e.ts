import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test } from './test';
import { logIn, openAndCache, ranaNurse } from './helpers';

const worker = new URL('../build/client/service-worker.js', import.meta.url);

test('a new version waiting is offered, and loading it keeps the app working', async ({ page }) => {
	await logIn(page, ranaNurse);
	await openAndCache(page);
	await expect(page.getByRole('heading', { level: 1, name: 'Mine pasienter' })).toBeVisible();
	const original = readFileSync(worker);
	try {
		// Deploy a "new version": a byte-different worker script, as every build makes.
		writeFileSync(worker, Buffer.concat([original, Buffer.from(`\n// deployed ${Date.now()}\n`)]));
		await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
		await expect(page.getByText('En ny versjon av appen er klar.')).toBeVisible({ timeout: 30_000 });
		// Listen before clicking: the reload can finish before the click returns.
		const reloaded = page.waitForEvent('load');
		await page.getByRole('button', { name: 'Last inn ny versjon' }).click();
		await reloaded;
		await expect(page.getByRole('heading', { level: 1, name: 'Mine pasienter' })).toBeVisible();
		await expect(page.getByText('En ny versjon av appen er klar.')).toHaveCount(0);
		const active = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null);
		expect(active).toBeNull();
	} finally {
		writeFileSync(worker, original);
	}
});

test('storage persistence is requested so unsent work is not evicted', async ({ page }) => {
	await page.addInitScript(() => {
		const calls: string[] = [];
		(window as unknown as { persistCalls: string[] }).persistCalls = calls;
		const original = navigator.storage.persist.bind(navigator.storage);
		navigator.storage.persist = () => {
			calls.push('persist');
			return original();
		};
	});
	await logIn(page, ranaNurse);
	await expect(page.getByRole('heading', { level: 1, name: 'Mine pasienter' })).toBeVisible();
	await expect.poll(() => page.evaluate(() => (window as unknown as { persistCalls: string[] }).persistCalls.length)).toBeGreaterThan(0);
});
