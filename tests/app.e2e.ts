import { expect, test } from './test';
import { logIn, ranaNurse } from './helpers';

test('GET /healthz answers 200 with JSON', async ({ request }) => {
	const res = await request.get('/healthz');
	expect(res.status()).toBe(200);
	expect(res.headers()['content-type']).toContain('application/json');
	expect(await res.json()).toMatchObject({ status: 'ok' });
});

test('the web app manifest makes the app installable', async ({ request, page }) => {
	const res = await request.get('/manifest.webmanifest');
	expect(res.status()).toBe(200);
	const manifest = await res.json();
	expect(manifest).toMatchObject({ start_url: '/', display: 'standalone', lang: 'nb' });
	const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
	expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
	for (const icon of manifest.icons as { src: string }[]) {
		const img = await request.get(icon.src);
		expect(img.status()).toBe(200);
		expect(img.headers()['content-type']).toBe('image/png');
	}
	await page.goto('/');
	await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
});

test('an unknown patient id gives a clear message, a malformed one a not-found page', async ({ page }) => {
	await logIn(page, ranaNurse);
	await page.goto('/patients/00000000-0000-4000-8000-000000000000');
	await expect(page.getByTestId('plan-error')).toContainText('Fant ikke pasienten på denne enheten.');
	const res = await page.goto('/patients/not-a-patient');
	expect(res?.status()).toBe(404);
});
