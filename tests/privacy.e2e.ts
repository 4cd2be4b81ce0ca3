import { expect, test, type Browser, type Page } from './test';
import { clinicians, pal, relatives } from '../src/lib/fixtures';
import { logIn, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// A register of its own: the test grants emergency access and changes Pål's privacy choices.
let server: ServerProcess;
test.beforeEach(async () => {
	server = serverProcess(4481);
	await server.start();
});
test.afterEach(async () => server.dispose());

/** A fresh tablet logged in as `name`, its first sync done. */
async function tablet(browser: Browser, name: string): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, name, server.url);
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	return page;
}

const { altaNurse, ranaNurse, bodoGp } = clinicians;

test('Pål’s daughter reads what is in force now, emergency access that afternoon included, and blocks a care-team nurse only after a warning', async ({ browser }) => {
	// That afternoon a nurse outside the care team got emergency access to Pål.
	const alta = await tablet(browser, altaNurse.name);
	const granted = await alta.request.post(`${server.url}/api/emergency-access`, { data: { nationalId: pal.patient.nationalId, reason: 'Pasienten ringte forvirret, teamet nås ikke' } });
	expect(granted.status()).toBe(200);

	const daughter = await tablet(browser, relatives.palDaughter.name);
	await daughter.getByRole('link', { name: pal.patient.name, exact: true }).click();
	const privacy = daughter.getByRole('region', { name: 'Personvern' });
	const now = privacy.getByRole('list', { name: 'Slik er det nå' });
	await expect(now).toContainText('Planen er ikke begrenset. Helsepersonell utenfor behandlingsteamet kan be om akutt tilgang hvis det haster.');
	await expect(now).toContainText('Ingen helsepersonell er sperret.');
	await expect(now).toContainText(new RegExp(`${altaNurse.name} har akutt tilgang nå, til kl\\. \\d\\d:\\d\\d\\.`));
	await expect(now).toContainText('Akutt tilgang er gitt 1 gang de siste 30 dagene.');
	await expect(now).toContainText(`Sist fikk ${altaNurse.name} (${altaNurse.organisation}) akutt tilgang`);
	// No promise above the button that the button has not yet kept; what pressing it would do.
	await expect(privacy).not.toContainText('Ingen utenfor behandlingsteamet kan åpne planen');
	await expect(privacy.getByRole('button', { name: 'Begrens planen til behandlingsteamet' })).toHaveAccessibleDescription(/^Trykker du på knappen, kan bare behandlingsteamet åpne planen\./);

	// The GP: on the care team and responsible for the plan. She thinks better of it.
	await privacy.getByLabel('Hvem vil du sperre?').selectOption({ label: `${bodoGp.name} – ${bodoGp.organisation}` });
	await privacy.getByRole('button', { name: 'Sperr' }).click();
	const dialog = privacy.getByRole('alertdialog', { name: `Sperre ${bodoGp.name}?` });
	await expect(dialog).toContainText(`${bodoGp.name} er i behandlingsteamet (Fastlege).`);
	await expect(dialog).toContainText(`${bodoGp.name} er planansvarlig.`);
	await dialog.getByRole('button', { name: 'Avbryt' }).click();
	await expect(dialog).toHaveCount(0);
	await expect(privacy.getByRole('button', { name: 'Sperr' })).toBeFocused();
	await expect(privacy.getByTestId('blocked')).toContainText('Ingen er sperret.');

	// The Rana nurse: on the care team, not responsible.
	await privacy.getByLabel('Hvem vil du sperre?').selectOption({ label: `${ranaNurse.name} – ${ranaNurse.organisation}` });
	await privacy.getByRole('button', { name: 'Sperr' }).click();
	const confirm = privacy.getByRole('alertdialog', { name: `Sperre ${ranaNurse.name}?` });
	await expect(confirm).toBeFocused();
	await expect(confirm).toContainText(`${ranaNurse.name} er i behandlingsteamet (Hjemmetjenesten). Sperrer du, mister ${ranaNurse.name} tilgangen til planen`);
	await expect(confirm).not.toContainText('planansvarlig');
	await expect(privacy.getByTestId('blocked')).toContainText('Ingen er sperret.');
	expect(await wcagViolations(daughter)).toEqual([]);
	await confirm.getByRole('button', { name: `Ja, sperr ${ranaNurse.name}` }).click();
	await expect(privacy.getByTestId('privacy-status')).toHaveText(`${ranaNurse.name} er sperret.`);
	await expect(privacy.getByLabel('Hvem vil du sperre?')).toBeFocused();
	await expect(privacy.getByTestId('blocked')).toContainText(ranaNurse.name);
	await expect(now).toContainText('1 helsepersonell er sperret og kan ikke åpne planen.');

	// Restricting: the statement says so, and the running emergency access no longer counts.
	await privacy.getByRole('button', { name: 'Begrens planen til behandlingsteamet' }).click();
	await expect(now).toContainText('Planen er begrenset til behandlingsteamet. Helsepersonell utenfor teamet får ikke akutt tilgang.');
	await expect(now).not.toContainText('har akutt tilgang nå');
	await expect(privacy.getByRole('button', { name: 'Opphev begrensningen' })).toHaveAccessibleDescription(/^Trykker du på knappen, kan helsepersonell utenfor teamet igjen be om akutt tilgang/);
	expect(await wcagViolations(daughter)).toEqual([]);

	// Offline the access log cannot be read, and the section says so rather than guess.
	await expect(daughter.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	await daughter.context().setOffline(true);
	await daughter.getByRole('link', { name: /Mine pasienter|Planer du har fullmakt til/ }).first().click();
	await daughter.getByRole('link', { name: pal.patient.name, exact: true }).click();
	await expect(now).toContainText('Den kan bare leses på nett, så det kan ikke vises her nå.');
	await expect(now).toContainText('1 helsepersonell er sperret');
});
