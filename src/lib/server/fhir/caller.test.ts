import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { fhirProblems, loadFhirValidators } from '$lib/fhir/validate';
import { clinicians, pal } from '$lib/fixtures';
import { STATUS_SCOPE } from '$lib/server/auth/provider';
import { mayRead } from '$lib/server/sync/access';
import { fhirCaller, fhirPatientAccess, type FhirCaller } from './caller';
import { HPR_ROLE_SYSTEM } from './headers';
import { operationOutcome, type FhirRefusal } from './outcome';
import { clinicianHeaders, startFhirTestRuntime, type FhirTestRuntime } from './test-support';

const PORT = 4820;
const url = new URL(`http://127.0.0.1:${PORT}/fhir/CarePlan/_search`);
const both = 'dbep.fhir.read dbep.fhir.write';
let rt: FhirTestRuntime;
let readWrite: string;

const role = (code: string) => encodeURIComponent(JSON.stringify({ system: HPR_ROLE_SYSTEM, code, display: code === 'SP' ? 'Sykepleier' : 'Lege' }));
const asClinician = clinicianHeaders;
const request = (token: string | null, headers: Record<string, string>) => new Request(url, { method: 'POST', headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

/** The refusal as its OperationOutcome, which must be valid R4, and what a test compares. */
function refusalOf(result: { ok: true } | { ok: false; refusal: FhirRefusal; eventId?: string | null }) {
	if (result.ok) return 'accepted';
	const outcome = operationOutcome(result.refusal, result.eventId);
	expect(fhirProblems(outcome)).toEqual([]);
	return { status: result.refusal.status, code: result.refusal.code, expression: result.refusal.expression ?? [], eventId: result.eventId ?? null };
}
async function callerOf(c: { hpr: string; role: string }, extra: Record<string, string | null> = {}): Promise<FhirCaller> {
	const result = await fhirCaller(request(readWrite, asClinician(c, extra)), url, 'read');
	if (!result.ok) throw new Error(`refused: ${result.refusal.code}`);
	return result.caller;
}
/** A patient the register holds a summary of (as the hub keeps it from the plan), with the privacy given. */
async function patientWith(privacy: Partial<PatientSummary>): Promise<PatientId> {
	const patientId = crypto.randomUUID() as PatientId;
	const summary: PatientSummary = { patientId, name: 'Generert Pasient', birthDate: '1940-01-01', municipality: 'Rana', responsible: null, measures: [], team: [], consent: true, ...privacy };
	await rt.sync.store.commit(planDocId(patientId), patientId, { add: [], remove: [], heads: ['h1'], summary });
	return patientId;
}

beforeAll(async () => {
	loadFhirValidators();
	rt = await startFhirTestRuntime(PORT);
	readWrite = await rt.token(both);
}, 120_000);
afterAll(() => rt?.close());

describe('the FHIR API’s access token', () => {
	it('is given to the demo EHR with the FHIR scopes by client credentials, and the status scope keeps working', async () => {
		const result = await fhirCaller(request(readWrite, asClinician(clinicians.ranaNurse)), url, 'write');
		expect(result.ok && result.caller.clientId).toBe('dbep-demo-ehr');
		const status = await rt.token(STATUS_SCOPE);
		expect(await rt.auth.apiCaller(`Bearer ${status}`, url, STATUS_SCOPE)).toMatchObject({ ok: true, caller: { scopes: [STATUS_SCOPE] } });
		await expect(rt.token(both, { secret: 'not-the-secret-0123456789' })).rejects.toThrow(/401/);
	});

	it('refuses a missing, forged, tampered, expired or wrong-audience token with 401, naming the event', async () => {
		const headers = asClinician(clinicians.ranaNurse);
		const [head, , signature] = readWrite.split('.');
		const payload = JSON.parse(Buffer.from(readWrite.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
		const widened = Buffer.from(JSON.stringify({ ...payload, client_id: 'someone-else' })).toString('base64url');
		const refused = async (token: string | null) => refusalOf(await fhirCaller(request(token, headers), url, 'read'));
		const token401 = (code: string) => ({ status: 401, code, expression: ['header.authorization'], eventId: 'evt-0001' });
		expect(await refused(null)).toEqual(token401('token-missing'));
		expect(await refused(`${head}.${widened}.${signature}`)).toEqual(token401('token-invalid'));
		expect(await refused(`${readWrite.slice(0, -4)}${readWrite.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`)).toEqual(token401('token-invalid'));
		expect(await refused(await rt.token(both, { resource: 'urn:dbep:demo-other-api' }))).toEqual(token401('wrong-audience'));
		vi.useFakeTimers({ toFake: ['Date'] });
		try {
			// The provider's tokens live 5 minutes: ten minutes on, this one has expired.
			vi.setSystemTime(Date.now() + 10 * 60_000);
			expect(await refused(readWrite)).toEqual(token401('token-expired'));
		} finally {
			vi.useRealTimers();
		}
		const inUrl = await fhirCaller(request(null, headers), new URL(`${url.href}?access_token=${readWrite}`), 'read');
		expect(refusalOf(inUrl)).toMatchObject({ status: 400, code: 'token-in-url' });
	});

	it('needs dbep.fhir.read to read and dbep.fhir.write to write (403 otherwise)', async () => {
		const headers = asClinician(clinicians.ranaNurse);
		const status = await rt.token(STATUS_SCOPE);
		const readOnly = await rt.token('dbep.fhir.read');
		const writeOnly = await rt.token('dbep.fhir.write');
		const scope403 = { status: 403, code: 'scope-missing', expression: ['header.authorization'], eventId: 'evt-0001' };
		expect(refusalOf(await fhirCaller(request(status, headers), url, 'read'))).toEqual(scope403);
		expect(refusalOf(await fhirCaller(request(readOnly, headers), url, 'write'))).toEqual(scope403);
		expect(refusalOf(await fhirCaller(request(writeOnly, headers), url, 'read'))).toEqual(scope403);
		expect(refusalOf(await fhirCaller(request(readOnly, headers), url, 'read'))).toBe('accepted');
		expect(refusalOf(await fhirCaller(request(writeOnly, headers), url, 'write'))).toBe('accepted');
	});
});

describe('a user-bound token', () => {
	it('is accepted for the clinician it is bound to, and refused when the headers name another', async () => {
		const { ranaNurse, bodoGp } = clinicians;
		const bound = await rt.userToken(ranaNurse.id, both);
		const payload = JSON.parse(Buffer.from(bound.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
		expect(payload).toMatchObject({ sub: ranaNurse.id, client_id: 'dbep-demo-ehr', aud: 'urn:dbep:api' });
		const mine = await fhirCaller(request(bound, asClinician(ranaNurse)), url, 'write');
		expect(mine.ok && mine.caller.principal.user?.id).toBe(ranaNurse.id);
		expect(refusalOf(await fhirCaller(request(bound, asClinician(bodoGp)), url, 'read'))).toEqual({ status: 403, code: 'user-mismatch', expression: ['header.nhn-user-hpr'], eventId: 'evt-0001' });
	});
});

describe('the nhn-* headers', () => {
	const nurse = clinicians.ranaNurse;
	const refused = async (extra: Record<string, string | null>) => refusalOf(await fhirCaller(request(readWrite, asClinician(nurse, extra)), url, 'read'));

	it('refuses each missing header by name with 400', async () => {
		for (const name of ['nhn-user-hpr', 'nhn-user-role', 'nhn-source-system', 'nhn-access-basis']) {
			expect(await refused({ [name]: null }), name).toEqual({ status: 400, code: 'header-missing', expression: [`header.${name}`], eventId: 'evt-0001' });
			expect(await refused({ [name]: '  ' }), name).toMatchObject({ code: 'header-missing', expression: [`header.${name}`] });
		}
		expect(await refused({ 'nhn-access-basis': 'AKUTT' })).toEqual({ status: 400, code: 'header-missing', expression: ['header.nhn-access-reason'], eventId: 'evt-0001' });
	});

	it('refuses each malformed header by name with 400', async () => {
		const cases: [string, string][] = [
			['nhn-user-hpr', '99000010A'],
			['nhn-user-hpr', '1234567890'],
			['nhn-user-role', 'SP'],
			['nhn-user-role', encodeURIComponent('{"system":')],
			['nhn-user-role', '%E0%A4%A'],
			['nhn-user-role', encodeURIComponent(JSON.stringify({ system: 'urn:oid:2.16.578.1.12.4.1.1.9999', code: 'SP' }))],
			['nhn-user-role', encodeURIComponent(JSON.stringify({ system: HPR_ROLE_SYSTEM, code: 'sykepleier' }))],
			['nhn-user-role', encodeURIComponent(JSON.stringify({ system: HPR_ROLE_SYSTEM }))],
			['nhn-source-system', 'ab'],
			['nhn-source-system', 'x'.repeat(513)],
			['nhn-access-basis', 'unntak'],
			['nhn-access-basis', 'NOD'],
			['nhn-access-reason', 'kort']
		];
		for (const [name, value] of cases) {
			const extra = name === 'nhn-access-reason' ? { 'nhn-access-basis': 'AKUTT', [name]: value } : { [name]: value };
			expect(await refused(extra), `${name}: ${value}`).toEqual({ status: 400, code: 'header-invalid', expression: [`header.${name}`], eventId: 'evt-0001' });
		}
	});

	it('echoes a well-formed event id in every refusal, and refuses a malformed one without echoing it', async () => {
		expect(await refused({ 'nhn-event-id': 'e'.repeat(128), 'nhn-user-hpr': null })).toMatchObject({ code: 'header-missing', eventId: 'e'.repeat(128) });
		expect(await refused({ 'nhn-event-id': 'e'.repeat(129) })).toEqual({ status: 400, code: 'header-invalid', expression: ['header.nhn-event-id'], eventId: null });
		expect(await refused({ 'nhn-event-id': null, 'nhn-user-hpr': null })).toMatchObject({ code: 'header-missing', eventId: null });
	});

	it('takes a URL-encoded reason with Norwegian letters, and gives the caller as the headers say', async () => {
		const reason = 'Pasienten er bevisstløs, legevakt trenger planen';
		const caller = await callerOf(nurse, { 'nhn-access-basis': 'AKUTT', 'nhn-access-reason': encodeURIComponent(reason) });
		expect(caller).toMatchObject({ clientId: 'dbep-demo-ehr', sourceSystem: 'DIPS Arena (demo)', eventId: 'evt-0001', basis: 'AKUTT', reason, hpr: nurse.hpr, role: { system: HPR_ROLE_SYSTEM, code: 'SP', display: 'Sykepleier' } });
		expect(caller.principal.user).toMatchObject({ id: nurse.id, role: 'home-care', hpr: nurse.hpr });
	});

	it('refuses an HPR number the register does not know, and a role the directory contradicts, with 403', async () => {
		expect(await refused({ 'nhn-user-hpr': '990009999' })).toEqual({ status: 403, code: 'hpr-unknown', expression: ['header.nhn-user-hpr'], eventId: 'evt-0001' });
		expect(await refused({ 'nhn-user-role': role('LE') })).toEqual({ status: 403, code: 'role-mismatch', expression: ['header.nhn-user-role'], eventId: 'evt-0001' });
	});
});

describe('need-to-know for the acting clinician, as on a tablet', () => {
	const { ranaNurse, altaNurse, bodoGp } = clinicians;
	const access = async (caller: FhirCaller, patientId: PatientId) => refusalOf(await fhirPatientAccess(caller, patientId));
	const logOf = (patientId: PatientId) => rt.sync.store.audit(patientId, 50);

	it('gives a care-team member the principal her tablet has', async () => {
		const caller = await callerOf(ranaNurse);
		const result = await fhirPatientAccess(caller, pal.patientId);
		expect(result.ok && mayRead(result.principal, { kind: 'plan', patientId: pal.patientId })).toBe(true);
		expect(result.ok && result.principal.emergency.size).toBe(0);
		expect(await access(await callerOf(bodoGp), pal.patientId)).toBe('accepted');
	});

	it('refuses a clinician outside the care team (403), and one asking for a patient the register does not hold (404)', async () => {
		expect(await access(await callerOf(altaNurse), pal.patientId)).toEqual({ status: 403, code: 'not-on-care-team', expression: ['header.nhn-user-hpr'], eventId: null });
		expect(await access(await callerOf(ranaNurse), crypto.randomUUID() as PatientId)).toMatchObject({ status: 404, code: 'patient-unknown' });
	});

	it('opens emergency access with AKUTT and a reason, logged as emergency access with the reason', async () => {
		const patientId = await patientWith({ team: [ranaNurse.id] });
		const reason = 'Akutt innleggelse, trenger oversikt over tiltak';
		const caller = await callerOf(altaNurse, { 'nhn-access-basis': 'AKUTT', 'nhn-access-reason': reason });
		const result = await fhirPatientAccess(caller, patientId);
		expect(result.ok && mayRead(result.principal, { kind: 'plan', patientId })).toBe(true);
		expect(result.ok && result.principal.emergency.has(patientId)).toBe(true);
		const [line] = await logOf(patientId);
		expect(line).toMatchObject({ action: 'emergency-access', basis: 'emergency', detail: reason, who: { id: altaNurse.id, role: 'home-care' } });
		// Her next call sees the running access, as her tablet would, without opening it again.
		const again = await fhirPatientAccess(await callerOf(altaNurse), patientId);
		expect(again.ok && again.principal.emergency.has(patientId)).toBe(true);
		expect((await logOf(patientId)).filter((l) => l.action === 'emergency-access')).toHaveLength(1);
	});

	it('refuses a clinician the patient blocked even with AKUTT, and logs the attempt as denied', async () => {
		const patientId = await patientWith({ team: [ranaNurse.id, altaNurse.id], blocked: [altaNurse.id] });
		expect(await access(await callerOf(altaNurse), patientId)).toMatchObject({ status: 403, code: 'blocked' });
		const akutt = await callerOf(altaNurse, { 'nhn-access-basis': 'AKUTT', 'nhn-access-reason': 'Akutt forverring i helgen' });
		expect(await access(akutt, patientId)).toMatchObject({ status: 403, code: 'blocked' });
		expect((await logOf(patientId)).map((l) => [l.action, l.who.id, l.detail])).toEqual([['emergency-denied', altaNurse.id, 'blocked']]);
	});

	it('refuses emergency access to a plan restricted to its care team', async () => {
		const patientId = await patientWith({ team: [ranaNurse.id], restricted: true });
		const akutt = await callerOf(altaNurse, { 'nhn-access-basis': 'AKUTT', 'nhn-access-reason': 'Akutt forverring i helgen' });
		expect(await access(akutt, patientId)).toMatchObject({ status: 403, code: 'restricted' });
	});

	it('takes SAMTYKKE where the plan records the patient’s consent, and refuses it with 422 no-consent where not', async () => {
		expect(await access(await callerOf(ranaNurse, { 'nhn-access-basis': 'SAMTYKKE' }), pal.patientId)).toBe('accepted');
		const unconsented = await patientWith({ team: [ranaNurse.id], consent: false });
		expect(await access(await callerOf(ranaNurse, { 'nhn-access-basis': 'SAMTYKKE' }), unconsented)).toEqual({ status: 422, code: 'no-consent', expression: ['header.nhn-access-basis'], eventId: null });
		expect(await access(await callerOf(ranaNurse), unconsented)).toBe('accepted');
		// Consent does not widen need-to-know.
		expect(await access(await callerOf(altaNurse, { 'nhn-access-basis': 'SAMTYKKE' }), pal.patientId)).toMatchObject({ status: 403, code: 'not-on-care-team' });
	});
});
