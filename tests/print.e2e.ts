import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from './test';
import { clinicians, pal, relatives } from '../src/lib/fixtures';
import { logIn, openAndCache, ranaNurse, wcagViolations } from './helpers';
import { pdfPagesText } from './pdf-text';

const palName = pal.patient.name;
const palId = pal.patient.nationalId;
const onPaper = `${palId.slice(0, 6)} ${palId.slice(6)}`;
/** Today's date as the paper writes it (Oslo), read before and after printing in case midnight passes. */
const osloDate = () => new Intl.DateTimeFormat('nb-NO', { timeZone: 'Europe/Oslo', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date());
/** A page's text as one line, as a reader takes it in (line breaks where the paper wrapped). */
const flat = (text: string) => text.replace(/\s+/g, ' ');

/** Counts calls to `window.print` instead of opening the print dialog. */
async function countPrints(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const w = window as unknown as { prints: number };
		w.prints = 0;
		window.print = () => void w.prints++;
	});
}

/** The print view under print media rendered to A4 by the browser, with each page's text; the PDF is kept for looking at. */
async function printToPdf(page: Page, name: string): Promise<string[]> {
	await page.emulateMedia({ media: 'print' });
	const pdf = await page.pdf({ format: 'A4' });
	await page.emulateMedia({ media: 'screen' });
	mkdirSync('test-results/print', { recursive: true });
	writeFileSync(`test-results/print/${name}.pdf`, pdf);
	return pdfPagesText(pdf).map(flat);
}

test('the nurse prints Pål’s plan offline: A4 in plain words, who he is on every page, no app controls', async ({ context, page }) => {
	await countPrints(page);
	await logIn(page, ranaNurse);
	await openAndCache(page);
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('connectivity')).toContainText('Frakoblet');
	await page.getByRole('link', { name: palName }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();

	// Something he does himself, added offline: the paper comes from the tablet's own copy.
	await page.getByRole('link', { name: 'Legg til tiltak' }).click();
	await page.getByLabel('Tittel').fill('Gå en tur i nabolaget');
	await page.getByLabel('Klokkeslett (f.eks. 08:00, 20:00)').fill('11:00');
	await page.getByLabel('Utføres av').selectOption({ label: 'Pasienten selv' });
	await page.getByRole('button', { name: 'Lagre' }).click();
	await expect(page.getByRole('heading', { level: 1, name: palName })).toBeVisible();

	// The browser's own print of the plan page leaves the app's controls off the paper too.
	const planPage = (await printToPdf(page, 'pal-plan-page')).join(' ');
	expect(planPage).toContain('Gå en tur i nabolaget');
	for (const control of ['Logg ut', 'Synkroniser', 'Frakoblet', 'Norsk bokmål', 'Mine pasienter', 'Legg til tiltak', 'Endre', 'Registrer', 'Lagre', 'Skriv ut', 'Status']) {
		expect(planPage, control).not.toContain(control);
	}

	await page.getByRole('link', { name: 'Skriv ut' }).click();
	await expect(page.getByRole('heading', { level: 1, name: `Behandlingsplan for ${palName}` })).toBeVisible();
	await expect(page).toHaveTitle(`Utskrift: ${palName} – Behandlingsplan`);
	// The plan's "Skriv ut" opens the print dialog at once, and only once.
	await expect.poll(() => page.evaluate(() => (window as unknown as { prints: number }).prints)).toBe(1);
	// On screen the preview hides the personal digits of the national ID, as clinician screens do.
	const preview = page.getByTestId('printed-plan');
	await expect(preview.getByText(`Fødselsnummer ${palId.slice(0, 6)} *****`)).toBeVisible();
	await expect(preview.getByText(`Fødselsnummer ${onPaper}`)).toBeHidden();
	expect(await wcagViolations(page)).toEqual([]);
	await page.screenshot({ path: 'test-results/print/pal-preview.png', fullPage: true });
	await page.getByRole('button', { name: 'Skriv ut' }).click();
	await expect.poll(() => page.evaluate(() => (window as unknown as { prints: number }).prints)).toBe(2);

	const before = osloDate();
	const pages = await printToPdf(page, 'pal-nurse');
	const dates = [before, osloDate()];
	// Pål's plan in large type fills more than one sheet, so the running header is really tested.
	expect(pages.length).toBeGreaterThanOrEqual(2);
	for (const [i, text] of pages.entries()) {
		expect(text, `page ${i + 1}`).toContain(`${palName} · Født 3. mai 1951 · Fødselsnummer ${onPaper}`);
		expect(text, `page ${i + 1}`).toContain(`Side ${i + 1} av ${pages.length}`);
		expect(dates.some((date) => text.includes(`Skrevet ut ${date} kl. `)), `page ${i + 1}: printed at`).toBe(true);
		expect(text, `page ${i + 1}`).toMatch(new RegExp(`Skrevet ut [^.]+\\. \\w+ \\d{4} kl\\. \\d{2}:\\d{2} av ${ranaNurse}\\.`));
		expect(text, `page ${i + 1}`).toContain('Planen kan ha blitt endret etter at den ble skrevet ut. Den nyeste versjonen finnes i appen.');
	}
	const paper = pages.join(' ');
	for (const seen of [
		`Behandlingsplan for ${palName}`,
		'Det som er viktig for deg',
		'«Å bo hjemme så lenge jeg kan»',
		'«Å se barnebarna mine»',
		'Dette jobber vi mot',
		'Forebygge synstap',
		'Øyetrykk under 21 mmHg på begge øyne',
		'Helseplager planen gjelder',
		'Grønn stær (glaukom)',
		'Dette gjør du selv',
		'Gå en tur i nabolaget Når: Daglig kl. 11:00',
		'Dette gjør helsetjenesten',
		'Øyedråper daglig',
		'Når: Daglig kl. 08:00 Hvem: Hjemmetjenesten Rana',
		'Årlig kontroll hos øyelege',
		'Når: Årlig, neste 15. mars 2027 Hvem: Øyepoliklinikken, UNN Tromsø',
		'Når bør du ta kontakt?',
		'Grønt: alt er som vanlig',
		'Kontakt: Hjemmetjenesten Rana ved neste besøk',
		'Gult: følg med',
		'Kontakt: Hjemmetjenesten Rana, deretter fastlegen på Bodø legesenter',
		'Rødt: få hjelp nå',
		'Tegn: Plutselig synstap, sterke smerter i øyet, eller hodepine med kvalme og oppkast.',
		'Gjør dette: Ring legevakten straks. Ved fare for liv, ring 113.',
		'Kontakt: Legevakten 116 117, AMK 113',
		`Ansvarlig for planen: ${clinicians.bodoGp.name}, Fastlege`,
		'De som hjelper deg'
	]) {
		expect(paper).toContain(seen);
	}
	for (const control of ['Logg ut', 'Lås', 'Innlogget', 'Synkroniser', 'Frakoblet', 'Lagre', 'Norsk bokmål', 'English', 'Skriv ut', 'Tilbake til planen', 'Slik blir planen på papir', 'Hopp til hovedinnhold']) {
		expect(paper, control).not.toContain(control);
	}
	// A card stays on one sheet: each level's signs and whom to call are on the page of its name.
	for (const [level, contact] of [
		['Grønt: alt er som vanlig', 'Hjemmetjenesten Rana ved neste besøk'],
		['Gult: følg med', 'deretter fastlegen på Bodø legesenter'],
		['Rødt: få hjelp nå', 'Legevakten 116 117, AMK 113']
	] as const) {
		const sheet = pages.find((text) => text.includes(level));
		expect(sheet, level).toContain(contact);
	}
});

test('Pål’s daughter prints his plan from her view', async ({ page }) => {
	await countPrints(page);
	await logIn(page, relatives.palDaughter.name);
	await page.goto(`/patients/${pal.patientId}`);
	await expect(page.getByTestId('what-matters')).toContainText('«Å bo hjemme så lenge jeg kan»');
	await expect(page.getByTestId('care-team')).toContainText(clinicians.bodoGp.name);
	await page.getByRole('link', { name: 'Skriv ut' }).click();
	await expect(page.getByRole('heading', { level: 1, name: `Behandlingsplan for ${palName}` })).toBeVisible();
	await expect.poll(() => page.evaluate(() => (window as unknown as { prints: number }).prints)).toBe(1);
	expect(await wcagViolations(page)).toEqual([]);

	const paper = (await printToPdf(page, 'pal-daughter')).join(' ');
	expect(paper).toContain(`Skrevet ut ${osloDate()}`);
	expect(paper).toContain(`av ${relatives.palDaughter.name}.`);
	expect(paper).toContain('«Å bo hjemme så lenge jeg kan»');
	expect(paper).toContain('Rødt: få hjelp nå');
	expect(paper).not.toContain('Logg ut');
	expect(paper).not.toContain('Send');
});
