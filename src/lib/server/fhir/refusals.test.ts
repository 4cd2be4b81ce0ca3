/**
 * Bad input to the FHIR handlers gets a clear, valid OperationOutcome and never changes a
 * document: search parameters, a national ID in the URL, resources of a patient the clinician may
 * not see, bodies the plan cannot hold, stale and malformed If-Match, writes of read-only items.
 */
import type { Bundle, Condition, OperationOutcome } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import { clinicians, odd, pal } from '$lib/fixtures';
import { demoUsers, type User } from '$lib/server/access/users';
import { capabilityStatement } from './capability';
import { fhirDeps, type FhirRequest } from './context';
import { answer, BASE, startHandlerRuntime, type HandlerRuntime } from './handler-test-support';
import { nationalIdInUrl, readHistory, readResource, searchCarePlans } from './read';
import { writeResource } from './write';
import { fhirProblems } from '$lib/fhir/validate';

const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const gp = userOf(clinicians.bodoGp.id);
const FNR = 'urn:oid:2.16.578.1.12.4.1.4.1';

let runtime: HandlerRuntime;
let req: FhirRequest;

beforeAll(async () => {
	runtime = await startHandlerRuntime();
	req = await runtime.requestAs(gp);
}, 120_000);
afterAll(() => runtime?.close());

const code = (o: { body: OperationOutcome }) => o.body.issue[0]?.details?.coding?.[0]?.code;
const refusal = async (response: Promise<Response>) => {
	const a = await answer<OperationOutcome>(await response);
	return [a.status, code(a), a.body.issue[0]?.expression?.[0]];
};
const chunks = async () => (await runtime.sync.store.chunks(planDocId(pal.patientId))).map((c) => c.key).sort();

describe('the FHIR API refuses bad input with a valid OperationOutcome, changing nothing', () => {
	it('refuses a search without the identifier, with other parameters or includes, and a national ID in the URL', async () => {
		const search = (form: Record<string, string>) => refusal(searchCarePlans(runtime.deps, req, new URLSearchParams(form)));
		expect(await search({})).toEqual([400, 'invalid-search', 'subject:Patient.identifier']);
		expect(await search({ 'subject:Patient.identifier': `http://example.org|${pal.patient.nationalId}` })).toEqual([400, 'invalid-search', 'subject:Patient.identifier']);
		expect(await search({ 'subject:Patient.identifier': `${FNR}|${pal.patient.nationalId}`, _include: 'CarePlan:goal' })).toEqual([400, 'invalid-search', '_include']);
		expect(await search({ 'subject:Patient.identifier': `${FNR}|${pal.patient.nationalId}`, name: 'Pål' })).toEqual([400, 'invalid-search', 'name']);
		expect(nationalIdInUrl(new URL(`${BASE}/CarePlan?subject:Patient.identifier=${FNR}|${pal.patient.nationalId}`))).toMatchObject({ status: 400, code: 'national-id-in-url' });
		expect(nationalIdInUrl(new URL(`${BASE}/ServiceRequest/${pal.measures.eyeDrops}`))).toBeNull();

		const none = await answer<Bundle>(await searchCarePlans(runtime.deps, req, new URLSearchParams({ 'subject:Patient.identifier': `${FNR}|03856500158` })));
		expect([none.status, none.body.total]).toEqual([200, 0]);
		const inactive = await answer<Bundle>(await searchCarePlans(runtime.deps, req, new URLSearchParams({ 'subject:Patient.identifier': `${FNR}|${pal.patient.nationalId}`, status: 'completed' })));
		expect(inactive.body.total).toBe(0);
	});

	it('does not tell a clinician of another patient’s resources, by search or by id', async () => {
		expect((await refusal(searchCarePlans(runtime.deps, req, new URLSearchParams({ 'subject:Patient.identifier': `${FNR}|${odd.patient.nationalId}` })))).slice(0, 2)).toEqual([403, 'not-on-care-team']);
		const [oddDiagnosis] = Object.values(odd.diagnoses);
		// Whether or not the register has read Odd's plan for someone else, his diagnosis is not found for Pål's GP.
		const eyeDoctor = await runtime.requestAs(userOf(clinicians.tromsoEyeDoctor.id));
		expect((await readResource(runtime.deps, eyeDoctor, 'Condition', oddDiagnosis!)).status).toBe(200);
		expect(await refusal(readResource(runtime.deps, req, 'Condition', oddDiagnosis!))).toEqual([404, 'not-found', undefined]);
		expect(await refusal(readHistory(runtime.deps, req, 'Condition', oddDiagnosis!, null))).toEqual([404, 'not-found', undefined]);
		expect(await refusal(writeResource(runtime.deps, req, 'Condition', { kind: 'delete', id: oddDiagnosis!, ifMatch: null }))).toEqual([404, 'not-found', undefined]);
		expect((await refusal(readResource(runtime.deps, req, 'CarePlan', odd.patientId))).slice(0, 2)).toEqual([403, 'not-on-care-team']);
		expect(await refusal(readResource(runtime.deps, req, 'Observation', pal.patientId))).toEqual([404, 'not-found', undefined]);
		// After a restart nothing is known of ids: they are looked for in the plans the clinician may see.
		const restarted = fhirDeps(runtime.sync.hub, runtime.sync.store);
		expect((await readResource(restarted, req, 'Condition', pal.diagnoses.dementia)).status).toBe(200);
		expect(await refusal(readResource(restarted, req, 'Condition', oddDiagnosis!))).toEqual([404, 'not-found', undefined]);
	});

	it('refuses bodies the plan cannot hold, stale or malformed versions and read-only items, and stores nothing of them', async () => {
		const before = await chunks();
		const glaucoma = (await answer<Condition>(await readResource(runtime.deps, req, 'Condition', pal.diagnoses.glaucoma))).body;
		const put = (body: unknown, ifMatch: string | null = null, type = 'Condition', id: string = pal.diagnoses.glaucoma) => refusal(writeResource(runtime.deps, req, type, { kind: 'update', id, body, ifMatch }));
		expect(await put({ ...glaucoma, code: { text: 'x', coding: [{ system: 'http://loinc.org', code: '1' }] } })).toEqual([422, 'code-system-unknown', 'Condition.code.coding[0].system']);
		expect(await put({ ...glaucoma, resourceType: 'Goal' })).toEqual([400, 'wrong-resource-type', 'Condition.resourceType']);
		expect(await put({ ...glaucoma, id: pal.diagnoses.dementia })).toEqual([400, 'id-mismatch', 'Condition.id']);
		expect(await put({ ...glaucoma, subject: { reference: `Patient/${odd.patientId}` } })).toEqual([422, 'subject-mismatch', 'Condition.subject']);
		expect(await put({ ...glaucoma, bodySite: [{ text: 'øye' }] })).toEqual([422, 'element-not-supported', 'Condition.bodySite']);
		expect(await put({ ...glaucoma, code: { text: 'Grønn stær', coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7110', code: 'not a code!' }] } })).toEqual([422, 'unknown-code', 'Condition.code.coding[0].code']);
		expect(await put({ ...glaucoma, code: { text: 'Grønn stær', coding: [{ system: 'http://snomed.info/sct', code: '23986000' }] } })).toEqual([422, 'unknown-code', 'Condition.code.coding[0].code']);
		expect(await put(glaucoma, 'W/"7"')).toEqual([412, 'version-mismatch', 'header.if-match']);
		expect(await put({ ...glaucoma, meta: { versionId: '7' } })).toEqual([412, 'version-mismatch', 'Condition.meta.versionId']);
		expect(await put(glaucoma, 'seven')).toEqual([400, 'header-invalid', 'header.if-match']);
		expect(await put({ resourceType: 'Goal', id: pal.whatMatters.livingAtHome, subject: { reference: `Patient/${pal.patientId}` } }, null, 'Goal', pal.whatMatters.livingAtHome)).toEqual([422, 'read-only', 'Goal']);
		expect(await refusal(writeResource(runtime.deps, req, 'CarePlan', { kind: 'create', body: {} }))).toEqual([405, 'method-not-allowed', undefined]);
		expect(await refusal(writeResource(runtime.deps, req, 'Goal', { kind: 'create', body: { resourceType: 'Goal', subject: { reference: 'Patient/nobody' } } }))).toEqual([422, 'reference-not-found', 'Goal.subject']);
		expect(await chunks()).toEqual(before);
	});

	it('lists in the CapabilityStatement exactly what it serves', () => {
		const statement = capabilityStatement(BASE, '2026-12-02');
		expect(fhirProblems(statement)).toEqual([]);
		const resources = statement.rest?.[0]?.resource ?? [];
		expect(resources.map((r) => [r.type, r.interaction?.map((i) => i.code).join(' ')])).toEqual([
			['CarePlan', 'read vread history-instance search-type'],
			['Condition', 'read vread history-instance create update delete'],
			['Goal', 'read vread history-instance create update delete'],
			['ServiceRequest', 'read vread history-instance create update delete'],
			['CareTeam', 'read vread history-instance'],
			['Patient', 'read vread history-instance'],
			['PractitionerRole', 'read vread history-instance']
		]);
	});
});
