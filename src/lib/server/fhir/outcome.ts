import type { OperationOutcome } from 'fhir/r4';

/** Where the register's refusal codes (`issue.details.coding[].code`) are defined: the table below. */
export const REFUSAL_SYSTEM = 'https://dbep.example/fhir/CodeSystem/refusal';
/** The extension on an OperationOutcome that echoes the caller's `nhn-event-id`. */
export const EVENT_ID_EXTENSION = 'https://dbep.example/fhir/StructureDefinition/nhn-event-id';

/** An HTTP status the FHIR API refuses with. */
export type RefusalStatus = 400 | 401 | 403 | 404 | 405 | 409 | 410 | 412 | 413 | 415 | 422;

/**
 * Why a FHIR request was refused: the HTTP status, a machine code (from `REFUSALS` where it names
 * one), a sentence for the vendor's developer (never personal data), and the element or header it
 * is about (`header.nhn-user-hpr`, `Goal.lifecycleStatus`).
 */
export type FhirRefusal = { status: RefusalStatus; code: string; diagnostics: string; expression?: string[] };

/** OperationOutcome.issue.code: the IssueType value set (http://hl7.org/fhir/issue-type). */
type IssueType = OperationOutcome['issue'][number]['code'];

/**
 * The one table from reason to HTTP status and FHIR issue type. Codes a caller should act on
 * differently have codes of their own; the status says who must act:
 *
 * | status | meaning                                   | codes |
 * |--------|-------------------------------------------|-------|
 * | 400    | malformed request: JSON, FHIR, headers    | malformed-json, not-an-object, invalid-resource, unknown-code, header-missing, header-invalid, token-in-url, national-id-in-url, invalid-search |
 * | 401    | no valid access token                     | token-missing, token-invalid, token-expired, wrong-audience |
 * | 403    | authenticated, but no access              | scope-missing, hpr-unknown, role-mismatch, not-on-care-team, blocked, restricted, forbidden-change |
 * | 404    | no such resource (or not the caller's to know of) | not-found, patient-unknown |
 * | 405    | method not supported on this path         | method-not-allowed |
 * | 409    | conflicts with the register's state       | version-conflict, national-id-ambiguous |
 * | 410    | deleted (entered-in-error)                | deleted |
 * | 412    | If-Match names a version that is not the current one | version-mismatch |
 * | 413    | body larger than the API takes            | body-too-large |
 * | 415    | body not FHIR JSON                        | media-type |
 * | 422    | well-formed, but breaks a business rule   | no-consent, reference-not-found, business-rule |
 */
export const REFUSALS = {
	'malformed-json': [400, 'structure'],
	'not-an-object': [400, 'structure'],
	'invalid-resource': [400, 'invalid'],
	'unknown-code': [400, 'code-invalid'],
	'header-missing': [400, 'required'],
	'header-invalid': [400, 'value'],
	'token-in-url': [400, 'security'],
	'national-id-in-url': [400, 'security'],
	'invalid-search': [400, 'invalid'],
	'token-missing': [401, 'login'],
	'token-invalid': [401, 'login'],
	'token-expired': [401, 'expired'],
	'wrong-audience': [401, 'login'],
	'scope-missing': [403, 'forbidden'],
	'hpr-unknown': [403, 'security'],
	'role-mismatch': [403, 'security'],
	'not-on-care-team': [403, 'forbidden'],
	blocked: [403, 'forbidden'],
	restricted: [403, 'forbidden'],
	'forbidden-change': [403, 'forbidden'],
	'not-found': [404, 'not-found'],
	'patient-unknown': [404, 'not-found'],
	'method-not-allowed': [405, 'not-supported'],
	'version-conflict': [409, 'conflict'],
	'national-id-ambiguous': [409, 'multiple-matches'],
	deleted: [410, 'deleted'],
	'version-mismatch': [412, 'conflict'],
	'body-too-large': [413, 'too-costly'],
	'media-type': [415, 'not-supported'],
	'no-consent': [422, 'business-rule'],
	'reference-not-found': [422, 'business-rule'],
	'business-rule': [422, 'business-rule']
} as const satisfies Record<string, readonly [RefusalStatus, IssueType]>;

/** A reason code of the table. */
export type RefusalCode = keyof typeof REFUSALS;

/** A refusal for a code of the table, its status taken from there. */
export function refuse(code: RefusalCode, diagnostics: string, expression?: string[]): FhirRefusal {
	return { status: REFUSALS[code][0], code, diagnostics, ...(expression ? { expression } : {}) };
}

/** The issue type for a status, for codes not in the table. */
const ISSUE_OF_STATUS: Record<RefusalStatus, IssueType> = {
	400: 'invalid',
	401: 'login',
	403: 'forbidden',
	404: 'not-found',
	405: 'not-supported',
	409: 'conflict',
	410: 'deleted',
	412: 'conflict',
	413: 'too-costly',
	415: 'not-supported',
	422: 'business-rule'
};

const issueTypeOf = (refusal: FhirRefusal): IssueType => (Object.hasOwn(REFUSALS, refusal.code) ? REFUSALS[refusal.code as RefusalCode][1] : ISSUE_OF_STATUS[refusal.status]);

/** The OperationOutcome (valid R4) that tells the caller why, echoing its event id. */
export function operationOutcome(refusal: FhirRefusal, eventId?: string | null): OperationOutcome {
	return {
		resourceType: 'OperationOutcome',
		...(eventId ? { extension: [{ url: EVENT_ID_EXTENSION, valueString: eventId }] } : {}),
		issue: [
			{
				severity: 'error',
				code: issueTypeOf(refusal),
				details: { coding: [{ system: REFUSAL_SYSTEM, code: refusal.code }], text: refusal.diagnostics },
				diagnostics: refusal.diagnostics,
				...(refusal.expression?.length ? { expression: refusal.expression } : {})
			}
		]
	};
}

/** A FHIR JSON response, never cached (it holds health data). */
export function fhirJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
	return new Response(JSON.stringify(body), {
		status: init.status ?? 200,
		headers: { 'content-type': 'application/fhir+json; charset=utf-8', 'cache-control': 'no-store', ...init.headers }
	});
}

/**
 * The refusal as an HTTP response: its OperationOutcome, the event id echoed in `nhn-event-id`
 * too, and on 401/403 for a token the `WWW-Authenticate` challenge RFC 6750 asks for.
 */
export function fhirError(refusal: FhirRefusal, eventId?: string | null): Response {
	const headers: Record<string, string> = eventId ? { 'nhn-event-id': eventId } : {};
	if (refusal.status === 401) headers['www-authenticate'] = 'Bearer error="invalid_token"';
	if (refusal.code === 'scope-missing') headers['www-authenticate'] = 'Bearer error="insufficient_scope"';
	return fhirJson(operationOutcome(refusal, eventId), { status: refusal.status, headers });
}

/** The largest request body the API reads: one resource of a plan is a few kilobytes. */
export const MAX_FHIR_BODY_BYTES = 256 * 1024;
/** How deep a body's JSON may nest: FHIR resources stay far below it; deeper is an attack on recursive code. */
const MAX_JSON_DEPTH = 32;

/**
 * Reads a request body as a FHIR JSON object: `application/fhir+json` or `application/json`
 * (charset UTF-8, `fhirVersion=4.0` when named), at most `maxBytes` (counted while reading, so an
 * oversized or endless body is never buffered whole), valid UTF-8 and JSON, an object, not nested
 * absurdly deep. What the object says is the caller's to check.
 */
export async function readFhirBody(request: Request, maxBytes = MAX_FHIR_BODY_BYTES): Promise<{ ok: true; value: unknown } | { ok: false; refusal: FhirRefusal }> {
	const mediaProblem = mediaTypeProblem(request.headers.get('content-type'));
	if (mediaProblem) return { ok: false, refusal: refuse('media-type', mediaProblem, ['header.content-type']) };
	const tooLarge = () => ({ ok: false as const, refusal: refuse('body-too-large', `the body is larger than ${maxBytes} bytes`) });
	const declared = Number(request.headers.get('content-length') ?? '0');
	if (declared > maxBytes) return tooLarge();
	const bytes = await readCapped(request, maxBytes);
	if (!bytes) return tooLarge();
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return { ok: false, refusal: refuse('malformed-json', 'the body is not valid UTF-8') };
	}
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		// The parser's message quotes the body, which may hold health data: it is not passed on.
		return { ok: false, refusal: refuse('malformed-json', text.trim() ? 'the body is not valid JSON' : 'the body is empty') };
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, refusal: refuse('not-an-object', 'the body is not a JSON object (a FHIR resource)') };
	if (depthOf(value) > MAX_JSON_DEPTH) return { ok: false, refusal: refuse('invalid-resource', `the body nests deeper than ${MAX_JSON_DEPTH} levels`) };
	return { ok: true, value };
}

/** Why a Content-Type is not FHIR JSON, or null when it is. */
function mediaTypeProblem(header: string | null): string | null {
	if (!header) return 'the body has no Content-Type: send application/fhir+json';
	const [type = '', ...params] = header.split(';').map((p) => p.trim().toLowerCase());
	if (type !== 'application/fhir+json' && type !== 'application/json') return 'the body is not FHIR JSON: send application/fhir+json';
	for (const param of params) {
		const [name, value = ''] = param.split('=').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
		if (name === 'charset' && value !== 'utf-8') return 'the body must be UTF-8';
		if (name === 'fhirversion' && value !== '4.0') return 'this API speaks FHIR R4 (fhirVersion=4.0)';
	}
	return null;
}

/** The body's bytes, or null once more than `maxBytes` arrive (the rest is not read). */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array | null> {
	if (!request.body) return new Uint8Array();
	const reader = request.body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel().catch(() => undefined);
			return null;
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(size);
	let at = 0;
	for (const c of chunks) {
		bytes.set(c, at);
		at += c.byteLength;
	}
	return bytes;
}

/** How deeply a parsed JSON value nests, counted without recursion. */
function depthOf(root: object): number {
	let deepest = 0;
	const stack: [unknown, number][] = [[root, 1]];
	while (stack.length) {
		const [node, depth] = stack.pop()!;
		if (node === null || typeof node !== 'object') continue;
		deepest = Math.max(deepest, depth);
		if (deepest > MAX_JSON_DEPTH) return deepest;
		for (const child of Object.values(node)) stack.push([child, depth + 1]);
	}
	return deepest;
}
