/**
 * A vendor's round trip through the FHIR API over real HTTP against the built server, with the
 * Rana nurse's tablet in Chromium as the other side: the EHR searches Pål's plan, adds the
 * annual eye check, moves it with If-Match (a stale one gets 412) and deletes it logically, each
 * while the tablet is offline; offline the nurse writes a comment and rewrites the measure's
 * description as the EHR moves its date. Back online each time, the tablet shows the change in
 * words, keeps its own edits and sends them to the register; Pål's access log names the GP and
 * the EHR system for every read and write.
 */
import { expect, test, type Browser, type Page } from './test';
import type { Bundle, CarePlan, OperationOutcome, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, ranaNurse, wcagViolations } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

// The embedded provider's demo EHR secret is random unless set: the test sets it, as a deployment would.
const SECRET = 'e2e-secret-of-the-demo-ehr-0123456789';
const SOURCE_SYSTEM = 'DIPS Arena (demo)';
const gp = clinicians.bodoGp;

// Offline and sync waits have their own timeouts; a step that cannot happen fails in 30 s, not at the test's end.
test.use({ actionTimeout: 30_000 });

let server: ServerProcess;
let fhirProblems: (resource: unknown) => string[];

test.beforeAll(async () => {
	test.setTimeout(180_000);
	server = serverProcess(4901, undefined, { DBEP_DEMO_API_SECRET: SECRET });
	// The validators load HL7's schema and the R4 StructureDefinitions: 10–20 s on a loaded machine.
	const [validate] = await Promise.all([import('../src/lib/fhir/validate'), server.start()]);
	validate.loadFhirValidators();
	fhirProblems = validate.fhirProblems;
});
test.afterAll(async () => server?.dispose());

/** An access token from the embedded provider by client credentials, as the demo EHR gets one. */
async function vendorToken(): Promise<string> {
	const response = await fetch(`${server.url}/oidc/token`, {
		method: 'POST',
		headers: { authorization: `Basic ${Buffer.from(`dbep-demo-ehr:${SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ grant_type: 'client_credentials', resource: 'urn:dbep:api', scope: 'dbep.fhir.read dbep.fhir.write' })
	});
	expect(response.status).toBe(200);
	return ((await response.json()) as { access_token: string }).access_token;
}

type Answer<T> = { status: number; etag: string | null; body: T };

/** The EHR calls the API as the GP under the ordinary care relationship; every body it gets back must be valid R4. */
function vendor(token: string) {
	const role = encodeURIComponent(JSON.stringify({ system: 'urn:oid:2.16.578.1.12.4.1.1.9060', code: 'LE', display: 'Lege' }));
	let event = 0;
	return async <T extends Resource>(method: string, path: string, { json, form, ifMatch }: { json?: unknown; form?: Record<string, string>; ifMatch?: string } = {}): Promise<Answer<T>> => {
		const headers: Record<string, string> = {
			authorization: `Bearer ${token}`,
			accept: 'application/fhir+json',
			'nhn-user-hpr': gp.hpr,
			'nhn-user-role': role,
			'nhn-source-system': SOURCE_SYSTEM,
			'nhn-access-basis': 'UNNTAK',
			'nhn-event-id': `e2e-${++event}`
		};
		if (json) headers['content-type'] = 'application/fhir+json';
		if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
		if (ifMatch) headers['if-match'] = ifMatch;
		const response = await fetch(`${server.url}/fhir/${path}`, { method, headers, body: json ? JSON.stringify(json) : form ? new URLSearchParams(form) : undefined });
		const text = await response.text();
		const body = (text ? JSON.parse(text) : null) as T;
		if (body) expect(fhirProblems(body), `${method} ${path}`).toEqual([]);
		return { status: response.status, etag: response.headers.get('etag'), body };
	};
}

/** The Rana nurse's tablet, logged in, at Pål's plan with everything sent. */
async function nurseAtPalsPlan(browser: Browser): Promise<Page> {
	const page = await (await browser.newContext()).newPage();
	await logIn(page, ranaNurse, server.url);
	await page.getByRole('link', { name: pal.patient.name, exact: true }).click({ timeout: 30_000 });
	await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible();
	await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
	return page;
}

const EYE_CHECK = 'Årlig øyekontroll';
const COMMENT = 'Pål spør om datteren kan bli med til øyekontrollen.';
const DESCRIPTION = 'Synsfelt og øyetrykk. Datteren blir med, hjemmetjenesten bestiller transport.';

test('the EHR adds, moves and deletes the annual eye check while the nurse is offline; her tablet shows each change on its next sync and keeps her own edits; Pål’s access log names the GP and the EHR', async ({ browser }) => {
	test.setTimeout(180_000);
	const api = vendor(await vendorToken());

	const found = await api<Bundle>('POST', 'CarePlan/_search', { form: { 'subject:Patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${pal.patient.nationalId}`, _include: '*' } });
	expect(found.status).toBe(200);
	expect(found.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
	for (const e of found.body.entry ?? []) expect(fhirProblems(e.resource), `${e.resource?.resourceType}/${e.resource?.id}`).toEqual([]);
	const types = new Set(found.body.entry?.map((e) => e.resource?.resourceType));
	expect([...types].sort()).toEqual(['CarePlan', 'CareTeam', 'Condition', 'Goal', 'Patient', 'PractitionerRole', 'ServiceRequest']);

	// The nurse has Pål's plan on her tablet and loses the network; she writes a comment meanwhile.
	const tablet = await nurseAtPalsPlan(browser);
	await tablet.context().setOffline(true);
	const comments = tablet.getByRole('region', { name: 'Kommentarer', exact: true });
	await comments.getByLabel('Skriv en kommentar').fill(COMMENT);
	await comments.getByRole('button', { name: 'Legg til kommentar' }).click();
	await expect(comments.getByTestId('comment').filter({ hasText: COMMENT })).toBeVisible();
	await expect(tablet.getByTestId('unsynced-count')).toContainText('1 pasient har endringer som ikke er sendt');

	const created = await api<ServiceRequest>('POST', 'ServiceRequest', {
		json: {
			resourceType: 'ServiceRequest',
			status: 'active',
			intent: 'plan',
			subject: { reference: `Patient/${pal.patientId}` },
			code: { text: EYE_CHECK },
			category: [{ text: 'Kontroll' }],
			orderDetail: [{ text: 'Synsfelt og øyetrykk hos øyelegen.' }],
			occurrenceTiming: { event: ['2027-05-03'], repeat: { frequency: 1, period: 1, periodUnit: 'a' } },
			performer: [{ reference: `PractitionerRole/${pal.careTeam.eyeDoctor}` }],
			reasonReference: [{ reference: `Condition/${pal.diagnoses.glaucoma}` }]
		} satisfies ServiceRequest
	});
	expect([created.status, created.etag]).toEqual([201, 'W/"1"']);
	const id = created.body.id!;

	// Back online: the new measure, in words, and her comment stays and reaches the register.
	await tablet.context().setOffline(false);
	const measure = tablet.getByTestId('measure').filter({ has: tablet.getByRole('heading', { name: EYE_CHECK }) });
	await expect(measure).toContainText('Årlig, neste 3. mai 2027', { timeout: 30_000 });
	await expect(measure).toContainText('Synsfelt og øyetrykk hos øyelegen.');
	await expect(comments.getByTestId('comment').filter({ hasText: COMMENT })).toBeVisible();
	await expect(tablet.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 30_000 });
	const plan = await api<CarePlan>('GET', `CarePlan/${pal.patientId}`);
	expect(plan.body.note?.map((n) => n.text)).toContain(COMMENT);
	expect(plan.body.activity?.map((a) => a.reference?.reference)).toContain(`ServiceRequest/${id}`);

	// Offline again, the nurse rewrites the measure's description while the EHR moves it to June.
	await tablet.context().setOffline(true);
	await measure.getByRole('link', { name: `Endre: ${EYE_CHECK}` }).click();
	await tablet.getByLabel('Beskrivelse').fill(DESCRIPTION);
	await tablet.getByRole('button', { name: 'Lagre' }).click();
	await expect(measure).toContainText(DESCRIPTION);
	await expect(tablet.getByTestId('unsynced-count')).toContainText('1 pasient har endringer som ikke er sendt');

	const moved = await api<ServiceRequest>('PUT', `ServiceRequest/${id}`, { json: { ...created.body, occurrenceTiming: { event: ['2027-06-14'], repeat: { frequency: 1, period: 1, periodUnit: 'a' } } }, ifMatch: 'W/"1"' });
	expect([moved.status, moved.etag, moved.body.occurrenceTiming?.event]).toEqual([200, 'W/"2"', ['2027-06-14']]);
	const stale = await api<OperationOutcome>('PUT', `ServiceRequest/${id}`, { json: { ...created.body, code: { text: 'Øyekontroll hos optiker' } }, ifMatch: 'W/"1"' });
	expect([stale.status, stale.body.resourceType, stale.body.issue[0]?.details?.coding?.[0]?.code]).toEqual([412, 'OperationOutcome', 'version-mismatch']);
	await expect(measure).toContainText('Årlig, neste 3. mai 2027');

	// Online: the EHR's date and her description, both kept, and hers sent to the register.
	await tablet.context().setOffline(false);
	await expect(measure).toContainText('Årlig, neste 14. juni 2027', { timeout: 30_000 });
	await expect(measure).toContainText(DESCRIPTION);
	await expect(measure).not.toContainText('Synsfelt og øyetrykk hos øyelegen.');
	// Different fields of one measure: merged, not a conflict for a clinician to settle.
	await expect(measure).not.toContainText('Endret samtidig på to enheter');
	await expect(tablet.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 30_000 });
	const merged = await api<ServiceRequest>('GET', `ServiceRequest/${id}`);
	expect([merged.body.orderDetail?.[0]?.text, merged.body.occurrenceTiming?.event, merged.etag]).toEqual([DESCRIPTION, ['2027-06-14'], 'W/"3"']);

	// Offline once more while the EHR deletes the measure; online, it is gone from the plan.
	await tablet.context().setOffline(true);
	const deleted = await api<OperationOutcome>('DELETE', `ServiceRequest/${id}`, { ifMatch: merged.etag! });
	expect([deleted.status, deleted.etag]).toEqual([204, 'W/"4"']);
	const gone = await api<OperationOutcome>('GET', `ServiceRequest/${id}`);
	expect([gone.status, gone.body.issue[0]?.code]).toEqual([410, 'deleted']);
	await expect(measure).toBeVisible();
	await tablet.context().setOffline(false);
	await expect(tablet.getByRole('heading', { name: EYE_CHECK })).toHaveCount(0, { timeout: 30_000 });
	await expect(comments.getByTestId('comment').filter({ hasText: COMMENT })).toBeVisible();
	await expect(tablet.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt');

	// Pål reads his access log: the GP's reads and writes, each through the EHR system.
	const phone = await (await browser.newContext()).newPage();
	await logIn(phone, pal.patient.name, server.url);
	await phone.getByRole('link', { name: pal.patient.name, exact: true }).click({ timeout: 30_000 });
	await phone.getByRole('link', { name: 'Innsynslogg' }).first().click();
	const log = phone.getByTestId('access-log');
	const byTheEhr = log.getByRole('row').filter({ hasText: gp.name }).filter({ hasText: `gjennom ${SOURCE_SYSTEM} (dbep-demo-ehr)` });
	await expect(byTheEhr.filter({ hasText: 'Endret planen' })).toHaveCount(3, { timeout: 20_000 });
	expect(await byTheEhr.filter({ hasText: 'Leste planen' }).count()).toBeGreaterThanOrEqual(3);
	await expect(byTheEhr.first()).toContainText('Behandlingsteamet');
	await expect(log.getByRole('row').filter({ hasText: ranaNurse }).filter({ hasText: 'Endret planen' }).first()).not.toContainText('gjennom');
	expect(await wcagViolations(phone)).toEqual([]);
});
