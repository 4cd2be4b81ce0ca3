import { expect, test, type Page } from './test';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse } from './helpers';

/** The smallest target a nurse with gloves, on a tablet held in one hand, can hit (WCAG 2.5.5). */
const MIN = 44;

/**
 * Every visible thing a user can tap on the page whose target is under 44×44 px, as
 * "text (width×height)". A radio or checkbox may be hit through its label instead (a label,
 * wrapping it or naming it with `for`, toggles it too): either big enough will do. Elements that are
 * visually hidden (1×1 px, e.g. the skip link until it gets focus) are not tapped.
 */
async function smallTargets(page: Page): Promise<string[]> {
	return page.evaluate((min) => {
		const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"]';
		const size = (el: Element) => {
			const r = el.getBoundingClientRect();
			return { w: Math.round(r.width), h: Math.round(r.height) };
		};
		const visible = (el: Element) => {
			const { w, h } = size(el);
			return w > 1 && h > 1 && getComputedStyle(el).visibility !== 'hidden';
		};
		const nameOf = (el: Element) =>
			(el.getAttribute('aria-label') ?? (el as HTMLElement).innerText ?? '').trim().replace(/\s+/g, ' ') ||
			(el instanceof HTMLInputElement ? [...(el.labels ?? [])].map((l) => l.innerText.trim()).join(' ') || el.name : '') ||
			el.tagName.toLowerCase();
		const offenders: string[] = [];
		for (const el of document.querySelectorAll(selector)) {
			if (!visible(el)) continue;
			const candidates = [el, ...(el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') ? (el.labels ?? []) : [])].map(size);
			const target = candidates.find((c) => c.w >= min && c.h >= min) ?? candidates[0]!;
			if (target.w < min || target.h < min) offenders.push(`${el.tagName.toLowerCase()} «${nameOf(el)}» (${target.w}×${target.h})`);
		}
		return offenders;
	}, MIN);
}

/** Opens every closed section (details) on the page, as a nurse would one by one. */
async function openAllDetails(page: Page): Promise<void> {
	const closed = page.locator('details:not([open]) > summary');
	for (let left = await closed.count(); left > 0; left = await closed.count()) await closed.first().click();
}

test('everything a nurse taps on the list, the plan, the visit form and an item form is at least 44×44 px', async ({ page }) => {
	await logIn(page, ranaNurse);
	await expect(page.getByTestId('patient-row').first()).toBeVisible();
	await openAllDetails(page);
	const onList = await smallTargets(page);

	await page.getByRole('link', { name: pal.patient.name }).click();
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await openAllDetails(page);
	const onPlan = await smallTargets(page);

	const visit = page.getByTestId('visit-item').first();
	await visit.getByRole('button', { name: 'Ikke utført' }).click();
	await expect(visit.getByLabel('Årsak')).toBeVisible();
	const onRecordForm = await smallTargets(page);

	await page.getByTestId('measure').first().getByRole('link', { name: /^Endre/ }).click();
	await expect(page.getByRole('heading', { level: 1, name: 'Endre tiltak' })).toBeVisible();
	await page.getByLabel('Ukentlig').check();
	await expect(page.getByRole('group', { name: 'Ukedager' })).toBeVisible();
	const onItemForm = await smallTargets(page);

	expect({ onList, onPlan, onRecordForm, onItemForm }).toEqual({ onList: [], onPlan: [], onRecordForm: [], onItemForm: [] });
});
