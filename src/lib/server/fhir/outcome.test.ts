import { beforeAll, describe, expect, it } from 'vitest';
import { fhirProblems, loadFhirValidators } from '$lib/fhir/validate';
import { EVENT_ID_EXTENSION, fhirError, MAX_FHIR_BODY_BYTES, operationOutcome, readFhirBody, REFUSAL_SYSTEM, REFUSALS, refuse, type RefusalCode } from './outcome';

beforeAll(() => void loadFhirValidators(), 120_000);

const post = (body: BodyInit | null, contentType: string | null = 'application/fhir+json', extra: Record<string, string> = {}) =>
	new Request('http://localhost/fhir/Goal', { method: 'POST', body, headers: { ...(contentType ? { 'content-type': contentType } : {}), ...extra }, duplex: 'half' } as RequestInit);
const refusalOf = async (request: Request) => {
	const read = await readFhirBody(request);
	if (read.ok) return 'accepted';
	expect(fhirProblems(operationOutcome(read.refusal))).toEqual([]);
	return [read.refusal.status, read.refusal.code];
};

describe('OperationOutcome for every refusal', () => {
	it('is valid R4 for each code of the table, with the machine code in details.coding and the event id echoed', () => {
		for (const code of Object.keys(REFUSALS) as RefusalCode[]) {
			const outcome = operationOutcome(refuse(code, `because of ${code}`, ['header.nhn-user-hpr']), 'evt-1');
			expect(fhirProblems(outcome), code).toEqual([]);
			expect(outcome.issue[0]).toMatchObject({ severity: 'error', diagnostics: `because of ${code}`, details: { coding: [{ system: REFUSAL_SYSTEM, code }] }, expression: ['header.nhn-user-hpr'] });
			expect(outcome.extension).toEqual([{ url: EVENT_ID_EXTENSION, valueString: 'evt-1' }]);
		}
		expect(fhirProblems(operationOutcome({ status: 422, code: 'a-code-of-f1', diagnostics: 'x' }))).toEqual([]);
	});

	it('answers with the status of the table, FHIR JSON, no caching, the event id and a bearer challenge for token problems', async () => {
		const response = fhirError(refuse('token-expired', 'the access token has expired'), 'evt-2');
		expect(response.status).toBe(401);
		expect(response.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
		expect(response.headers.get('cache-control')).toBe('no-store');
		expect(response.headers.get('nhn-event-id')).toBe('evt-2');
		expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
		expect(fhirProblems(await response.json())).toEqual([]);
		expect(fhirError(refuse('scope-missing', 'x')).headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
		expect(fhirError(refuse('no-consent', 'x')).status).toBe(422);
		expect(fhirError(refuse('no-consent', 'x')).headers.get('www-authenticate')).toBeNull();
	});
});

describe('readFhirBody', () => {
	it('takes a JSON object sent as application/fhir+json or application/json, UTF-8', async () => {
		const goal = { resourceType: 'Goal', description: { text: 'Øyekontroll' } };
		for (const type of ['application/fhir+json', 'application/json', 'application/fhir+json; charset=utf-8', 'application/fhir+json; fhirVersion=4.0', 'Application/FHIR+JSON;charset="UTF-8"']) {
			expect(await readFhirBody(post(JSON.stringify(goal), type)), type).toEqual({ ok: true, value: goal });
		}
	});

	it('refuses another media type, charset or FHIR version with 415', async () => {
		for (const type of [null, 'text/plain', 'application/xml', 'application/fhir+xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/fhir+json; fhirVersion=5.0']) {
			expect(await refusalOf(post('{}', type)), String(type)).toEqual([415, 'media-type']);
		}
	});

	it('refuses a body over the limit with 413: by its Content-Length without reading it, and while reading one that does not say', async () => {
		const big = `{"text":"${'x'.repeat(MAX_FHIR_BODY_BYTES)}"}`;
		expect(await refusalOf(post(big))).toEqual([413, 'body-too-large']);
		let pulled = 0;
		const endless = new ReadableStream<Uint8Array>({
			pull(controller) {
				pulled++;
				controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
			}
		});
		expect(await refusalOf(post(endless))).toEqual([413, 'body-too-large']);
		// It stopped soon after the limit, rather than buffering what kept coming.
		expect(pulled * 16 * 1024).toBeLessThan(MAX_FHIR_BODY_BYTES * 2);
		const lying = post('{}', 'application/fhir+json', { 'content-length': String(MAX_FHIR_BODY_BYTES + 1) });
		expect(await refusalOf(lying)).toEqual([413, 'body-too-large']);
	});

	it('refuses malformed JSON, an empty body, bad UTF-8, a non-object and absurd nesting with 400, quoting nothing of the body', async () => {
		const secret = '{"note": "Pål Storvik 01894512345"';
		const read = await readFhirBody(post(secret));
		expect(read).toEqual({ ok: false, refusal: { status: 400, code: 'malformed-json', diagnostics: 'the body is not valid JSON' } });
		expect(await refusalOf(post(''))).toEqual([400, 'malformed-json']);
		expect(await refusalOf(post(null))).toEqual([400, 'malformed-json']);
		expect(await refusalOf(post(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d])))).toEqual([400, 'malformed-json']);
		for (const body of ['[]', '"Goal"', '42', 'null']) expect(await refusalOf(post(body)), body).toEqual([400, 'not-an-object']);
		expect(await refusalOf(post(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`))).toEqual([400, 'invalid-resource']);
		expect(await refusalOf(post(`${'{"a":'.repeat(20)}1${'}'.repeat(20)}`))).toBe('accepted');
	});
});
