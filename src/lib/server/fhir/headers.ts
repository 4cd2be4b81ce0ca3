import * as v from 'valibot';
import { MIN_REASON_LENGTH } from '$lib/server/access/emergency';
import type { Role } from '$lib/domain/plan';
import { refuse, type FhirRefusal } from './outcome';

/** The code system of HPR's health personnel categories (helsepersonellkategori), which `nhn-user-role` is coded in. */
export const HPR_ROLE_SYSTEM = 'urn:oid:2.16.578.1.12.4.1.1.9060';

/**
 * The access basis a vendor system states for the acting clinician (tillitsgrunnlag, as the
 * national API carries it): `UNNTAK` an ordinary care relationship (the exception from the duty
 * of confidentiality for giving health care), `SAMTYKKE` the patient's consent, `AKUTT`
 * emergency access, with a reason.
 */
export type AccessBasis = 'UNNTAK' | 'SAMTYKKE' | 'AKUTT';

/** What the nhn-* headers say about who acts, for whom, and why. */
export type NhnHeaders = {
	hpr: string;
	role: { system: string; code: string; display?: string };
	sourceSystem: string;
	basis: AccessBasis;
	reason: string | null;
};

const MAX_EVENT_ID = 128;
const MAX_REASON = 500;

const urlEncodedJson = (raw: string): unknown => {
	try {
		return JSON.parse(decodeURIComponent(raw));
	} catch {
		return undefined;
	}
};
const urlDecoded = (raw: string): string | undefined => {
	try {
		return decodeURIComponent(raw);
	} catch {
		return undefined;
	}
};

const Hpr = v.pipe(v.string(), v.regex(/^[0-9]{1,9}$/, 'an HPR number: up to 9 digits'));
const RoleCoding = v.object({
	system: v.literal(HPR_ROLE_SYSTEM, `a coding in ${HPR_ROLE_SYSTEM}`),
	code: v.pipe(v.string('a code'), v.regex(/^[A-Z]{2}$/, 'an HPR category code, two capital letters (LE, SP, ...)')),
	display: v.optional(v.pipe(v.string('display as text'), v.maxLength(200, 'display of at most 200 characters')))
}, `URL-encoded JSON of a Coding in ${HPR_ROLE_SYSTEM}`);
const SourceSystem = v.pipe(v.string(), v.trim(), v.minLength(3, '3 to 512 characters'), v.maxLength(512, '3 to 512 characters'));
const Basis = v.picklist(['UNNTAK', 'SAMTYKKE', 'AKUTT'], 'one of UNNTAK, SAMTYKKE, AKUTT');
const Reason = v.pipe(v.string(), v.trim(), v.minLength(MIN_REASON_LENGTH, `a reason of ${MIN_REASON_LENGTH} to ${MAX_REASON} characters`), v.maxLength(MAX_REASON, `a reason of ${MIN_REASON_LENGTH} to ${MAX_REASON} characters`));
const EventId = v.pipe(v.string(), v.regex(/^[\x20-\x7e]+$/, 'printable ASCII'), v.maxLength(MAX_EVENT_ID, `at most ${MAX_EVENT_ID} characters`));

const missing = (name: string) => refuse('header-missing', `the ${name} header is required`, [`header.${name}`]);
const invalid = (name: string, expected: string) => refuse('header-invalid', `the ${name} header must be ${expected}`, [`header.${name}`]);

function check<T>(headers: Headers, name: string, schema: v.GenericSchema<unknown, T>, decode: (raw: string) => unknown = (raw) => raw): { ok: true; value: T } | { ok: false; refusal: FhirRefusal } {
	const raw = headers.get(name);
	if (raw === null || raw.trim() === '') return { ok: false, refusal: missing(name) };
	const parsed = v.safeParse(schema, decode(raw.trim()));
	return parsed.success ? { ok: true, value: parsed.output } : { ok: false, refusal: invalid(name, parsed.issues[0].message) };
}

/** The caller's `nhn-event-id` (optional), or a refusal for a malformed one (which is then not echoed). */
export function eventIdOf(headers: Headers): { ok: true; eventId: string | null } | { ok: false; refusal: FhirRefusal } {
	if (headers.get('nhn-event-id') === null) return { ok: true, eventId: null };
	const id = check(headers, 'nhn-event-id', EventId);
	return id.ok ? { ok: true, eventId: id.value } : id;
}

/**
 * Reads the nhn-* headers, the first missing or malformed one refused by name
 * (`expression: ['header.<name>']`). `nhn-user-role` is URL-encoded JSON, a Coding in
 * HPR_ROLE_SYSTEM; `nhn-access-reason`, required with `AKUTT`, may be URL-encoded (UTF-8), as
 * plain header values cannot carry Norwegian letters.
 */
export function nhnHeadersOf(headers: Headers): { ok: true; value: NhnHeaders } | { ok: false; refusal: FhirRefusal } {
	const hpr = check(headers, 'nhn-user-hpr', Hpr);
	if (!hpr.ok) return hpr;
	const role = check(headers, 'nhn-user-role', RoleCoding, urlEncodedJson);
	if (!role.ok) return role;
	const sourceSystem = check(headers, 'nhn-source-system', SourceSystem);
	if (!sourceSystem.ok) return sourceSystem;
	const basis = check(headers, 'nhn-access-basis', Basis);
	if (!basis.ok) return basis;
	let reason: string | null = null;
	// A reason given with another basis is kept (and checked) too: it is the caller's statement.
	if (basis.value === 'AKUTT' || (headers.get('nhn-access-reason') ?? '').trim() !== '') {
		const given = check(headers, 'nhn-access-reason', Reason, urlDecoded);
		if (!given.ok) return given.refusal.code === 'header-missing' ? { ok: false, refusal: refuse('header-missing', 'the nhn-access-reason header is required with nhn-access-basis AKUTT', ['header.nhn-access-reason']) } : given;
		reason = given.value;
	}
	const { display, ...coding } = role.value;
	return { ok: true, value: { hpr: hpr.value, role: display === undefined ? coding : { ...coding, display }, sourceSystem: sourceSystem.value, basis: basis.value, reason } };
}

/**
 * The HPR categories that fit each of the register's clinical roles. The register's directory
 * decides what the clinician may do; a header claiming a category the directory contradicts
 * (a nurse sent as a physician) is refused rather than believed.
 */
const CATEGORIES_OF: Partial<Record<Role, readonly string[]>> = {
	gp: ['LE'],
	specialist: ['LE'],
	// Sykepleier, helsefagarbeider, hjelpepleier, vernepleier, omsorgsarbeider.
	'home-care': ['SP', 'HF', 'HP', 'VP', 'OA'],
	// Those who coordinate municipal care: also ergo- and physiotherapists and physicians.
	coordinator: ['SP', 'VP', 'ET', 'FT', 'HF', 'LE']
};

/** Whether the HPR category in `nhn-user-role` fits the clinician's role in the directory. */
export function roleFits(role: Role, category: string): boolean {
	return (CATEGORIES_OF[role] ?? []).includes(category);
}
