import { expect, test, type Browser, type Page } from './test';
import { astrid, clinicians, pal, relatives, solveig } from '../src/lib/fixtures';
import { palGrandson, planlessPatient } from '../src/lib/server/access/users';
import { logIn, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// Each test gets a register of its own: they change care teams and privacy choices.
let server: ServerProcess;
test.beforeEach(async () => {
	server = serverProcess(4186);
	await server.start();
});
test.afterEach(async () => server.dispose());

/** A fresh tablet logged in as `name`, its first sync done. */
async function tablet(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await expect(page.getByTestId('patient-list').or(page.getByText('Ingen pasienter på denne enheten.'))).toBeVisible({ timeout: 20_000 });
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	return page;
}

const row = (page: Page, name: string) => page.getByRole('link', { name, exact: true });

test('the GP adds the Alta nurse to Pål’s care team and ends the Rana nurse’s membership: her tablet loses Pål, the Alta nurse’s gets him', async ({ browser }) => {
	const rana = await tablet(browser, clinicians.ranaNurse.name);
	await expect(row(rana, pal.patient.name)).toBeVisible();
	const alta = await tablet(browser, clinicians.altaNurse.name);
	await expect(row(alta, astrid.patient.name)).toBeVisible();
	await expect(row(alta, pal.patient.name)).toHaveCount(0);

	const gp = await tablet(browser, clinicians.bodoGp.name);
	await row(gp, pal.patient.name).click();
	const team = gp.getByRole('region', { name: 'Behandlingsteam' });
	await team.getByLabel('Legg til en kollega i behandlingsteamet').selectOption({ label: `${clinicians.altaNurse.name} – ${clinicians.altaNurse.organisation}` });
	await team.getByRole('button', { name: 'Legg til i teamet' }).click();
	await expect(gp.getByTestId('care-team-status')).toContainText(`${clinicians.altaNurse.name} er lagt til`);
	await team.getByRole('button', { name: `Avslutt ${clinicians.ranaNurse.name} i teamet` }).click();
	await expect(gp.getByRole('alertdialog')).toContainText('mister tilgangen');
	expect(await wcagViolations(gp)).toEqual([]);
	await gp.getByRole('alertdialog').getByRole('button', { name: 'Avslutt i teamet' }).click();
	await expect(gp.getByTestId('care-team')).not.toContainText(clinicians.ranaNurse.name);
	await expect(gp.getByTestId('care-team')).toContainText(clinicians.altaNurse.name);

	// Both tablets are told at once that their access changed; the next sync purges or brings Pål.
	await expect(row(rana, pal.patient.name)).toHaveCount(0, { timeout: 20_000 });
	await expect(row(rana, solveig.patient.name)).toBeVisible();
	await expect(row(alta, pal.patient.name)).toBeVisible({ timeout: 20_000 });
	await row(alta, pal.patient.name).click();
	await expect(alta.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
});

test('emergency access needs a reason and is logged with it; after Pål blocks the nurse her tablet loses him and emergency access is denied, all in his access log', async ({ browser }) => {
	const alta = await tablet(browser, clinicians.altaNurse.name);
	await alta.getByText('Akutt tilgang til en pasient utenfor teamet').click();
	const form = alta.getByTestId('emergency-access');
	await form.getByLabel('Pasientens fødselsnummer').fill(pal.patient.nationalId);
	// Once in a CI run this first click on a fresh page was lost (no validation shown, not reproduced
	// in 9 local runs): press again until the form answers, as a user would.
	await expect(async () => {
		await form.getByRole('button', { name: 'Be om akutt tilgang' }).click();
		await expect(form.getByText('Skriv en begrunnelse på minst 10 tegn.')).toBeVisible({ timeout: 2000 });
	}).toPass({ timeout: 15_000 });
	await form.getByLabel('Begrunnelse').fill('Vikar i Rana, pasienten er forvirret og alene');
	expect(await wcagViolations(alta)).toEqual([]);
	await form.getByRole('button', { name: 'Be om akutt tilgang' }).click();
	await expect(form.getByTestId('emergency-result')).toContainText(`Du har akutt tilgang til ${pal.patient.name}`);
	await expect(row(alta, pal.patient.name)).toBeVisible({ timeout: 20_000 });
	await row(alta, pal.patient.name).click();
	await expect(alta.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await alta.getByRole('link', { name: /Mine pasienter/ }).click();

	// Pål, in plain language: no edit buttons for the care team's parts; he writes what matters and blocks the nurse.
	const phone = await tablet(browser, pal.patient.name);
	await row(phone, pal.patient.name).click();
	await expect(phone.getByTestId('patient-plan')).toContainText('Dette er planen din');
	await expect(phone.getByRole('link', { name: /^Endre/ })).toHaveCount(0);
	await phone.getByLabel('Skriv med egne ord hva som er viktig').fill('Å høre på radio om morgenen');
	await phone.getByRole('region', { name: 'Det som er viktig for deg' }).getByRole('button', { name: 'Lagre' }).click();
	await expect(phone.getByTestId('what-matters')).toContainText('Å høre på radio om morgenen');
	const privacy = phone.getByRole('region', { name: 'Personvern' });
	await privacy.getByLabel('Hvem vil du sperre?').selectOption({ label: `${clinicians.altaNurse.name} – ${clinicians.altaNurse.organisation}` });
	await privacy.getByRole('button', { name: 'Sperr' }).click();
	await privacy.getByRole('alertdialog').getByRole('button', { name: `Ja, sperr ${clinicians.altaNurse.name}` }).click();
	await expect(privacy.getByTestId('blocked')).toContainText(clinicians.altaNurse.name);
	expect(await wcagViolations(phone)).toEqual([]);
	await expect(phone.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	// The block reaches the register: the nurse's tablet loses Pål, and asking again is denied.
	await expect(row(alta, pal.patient.name)).toHaveCount(0, { timeout: 20_000 });
	await alta.getByText('Akutt tilgang til en pasient utenfor teamet').click();
	await form.getByLabel('Pasientens fødselsnummer').fill(pal.patient.nationalId);
	await form.getByLabel('Begrunnelse').fill('Pasienten har falt og trenger hjelp nå');
	await form.getByRole('button', { name: 'Be om akutt tilgang' }).click();
	await expect(form.getByTestId('emergency-result')).toContainText('Pasienten har sperret deg');

	// His daughter, with his proxy, reads the same plan in plain words and sees who opened it and why.
	const daughter = await tablet(browser, relatives.palDaughter.name);
	await row(daughter, pal.patient.name).click();
	await expect(daughter.getByTestId('patient-plan')).toContainText(`Du ser planen til ${pal.patient.name} fordi du har fullmakt`);
	await expect(daughter.getByTestId('what-matters')).toContainText('Å høre på radio om morgenen');
	await daughter.getByRole('link', { name: 'Innsynslogg' }).first().click();
	const log = daughter.getByTestId('access-log');
	const nurseLines = log.getByRole('row').filter({ hasText: clinicians.altaNurse.name });
	await expect(nurseLines.filter({ hasText: 'Fikk akutt tilgang: «Vikar i Rana, pasienten er forvirret og alene»' })).toHaveCount(1);
	await expect(nurseLines.filter({ hasText: 'Leste planen' }).first()).toContainText('Akutt tilgang');
	await expect(nurseLines.filter({ hasText: 'Ble nektet akutt tilgang' })).toHaveCount(1);
	// Emergency access stands apart, above every read, however many come after it.
	const emergency = daughter.getByTestId('access-log-emergency');
	await expect(emergency.getByRole('row').filter({ hasText: clinicians.altaNurse.name })).toHaveText([/Ble nektet akutt tilgang/, /Fikk akutt tilgang: «Vikar i Rana/]);
	expect(await wcagViolations(daughter)).toEqual([]);
});

test('the GP creates a plan for Liv Aasen only with her consent recorded; the register takes it and Liv reads her new plan', async ({ browser }) => {
	const gp = await tablet(browser, clinicians.bodoGp.name);
	await gp.getByText('Ny behandlingsplan').click();
	const form = gp.getByTestId('new-plan');
	await form.getByLabel('Pasientens fødselsnummer').fill(pal.patient.nationalId);
	await form.getByRole('button', { name: 'Finn pasienten' }).click();
	await expect(form.getByText('Pasienten har allerede en plan')).toBeVisible();
	await form.getByLabel('Pasientens fødselsnummer').fill(planlessPatient.nationalId);
	await form.getByRole('button', { name: 'Finn pasienten' }).click();
	await expect(form.getByText(`${planlessPatient.name}, født 12. september 1948, Rana`)).toBeVisible();
	await form.getByLabel('Muntlig').check();
	await form.getByRole('button', { name: 'Opprett plan' }).click();
	await expect(form.getByText('En plan kan bare lages med pasientens samtykke.')).toBeVisible();
	expect(await wcagViolations(gp)).toEqual([]);
	await form.getByLabel('Pasienten har samtykket').check();
	await form.getByRole('button', { name: 'Opprett plan' }).click();
	await expect(gp.getByRole('heading', { level: 1, name: planlessPatient.name })).toBeVisible();
	await expect(gp.getByTestId('care-team')).toContainText(clinicians.bodoGp.name);
	await expect(gp.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const phone = await tablet(browser, planlessPatient.name);
	await row(phone, planlessPatient.name).click();
	await expect(phone.getByTestId('patient-plan')).toContainText('Dette er planen din');
	await expect(phone.getByRole('region', { name: 'Personvern' })).toContainText(`Samtykke til planen: muntlig, registrert av ${clinicians.bodoGp.name}`);
});

test('Pål’s grandson, whose proxy allows reading only, reads the plan with nothing to write in and no access log', async ({ browser }) => {
	const phone = await tablet(browser, palGrandson.name);
	await row(phone, pal.patient.name).click();
	await expect(phone.getByTestId('patient-plan')).toContainText(`Du ser planen til ${pal.patient.name} fordi du har fullmakt`);
	await expect(phone.getByTestId('read-only')).toContainText('lov til å lese planen, ikke til å skrive');
	await expect(phone.getByRole('textbox')).toHaveCount(0);
	await expect(phone.getByTestId('patient-plan').getByRole('link', { name: 'Innsynslogg' })).toHaveCount(0);
	expect(await wcagViolations(phone)).toEqual([]);
	expect((await phone.request.get(`${server.url}/api/access-log/${pal.patientId}`)).status()).toBe(403);
});

test('the GP adds a self-care measure for Pål’s daughter to follow; she reports on it in plain words and the nurse sees her report', async ({ browser }) => {
	const gp = await tablet(browser, clinicians.bodoGp.name);
	await row(gp, pal.patient.name).click();
	await gp.getByRole('link', { name: 'Legg til tiltak' }).click();
	await gp.getByLabel('Tittel').fill('Gå tur med far');
	await gp.getByLabel('Klokkeslett (f.eks. 08:00, 20:00)').fill('10:00');
	await gp.getByLabel('Utføres av').selectOption({ label: 'Pårørende' });
	await gp.getByRole('button', { name: 'Lagre' }).click();
	await expect(gp.getByRole('heading', { name: 'Gå tur med far' })).toBeVisible();
	await expect(gp.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const daughter = await tablet(browser, relatives.palDaughter.name);
	await row(daughter, pal.patient.name).click();
	const walk = daughter.getByTestId('self-care-measure').filter({ hasText: 'Gå tur med far' });
	await expect(walk).toContainText('Daglig kl. 10:00');
	await walk.getByLabel('Kommentar til rapporten').fill('Vi gikk til butikken og tilbake');
	await walk.getByRole('button', { name: 'Jeg har gjort det i dag' }).click();
	await expect(walk.getByTestId('last-report')).toContainText('Sist rapportert');
	expect(await wcagViolations(daughter)).toEqual([]);
	await expect(daughter.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });

	const nurse = await tablet(browser, clinicians.ranaNurse.name);
	await row(nurse, pal.patient.name).click();
	const measure = nurse.getByTestId('measure').filter({ hasText: 'Gå tur med far' });
	await measure.getByText('Siste registreringer').click();
	await expect(measure.getByTestId('measure-log')).toContainText(`Utført – Vi gikk til butikken og tilbake (${relatives.palDaughter.name})`);
});
