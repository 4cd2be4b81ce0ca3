import type { PatientId } from '$lib/domain/ids';
import { openEmergencyAccess } from '$lib/server/access/emergency';
import type { ApiAuth, ApiRefusal } from '$lib/server/auth/api-token';
import { demoClinicians, type ClinicianDirectory } from '$lib/server/auth/directory';
import { FHIR_READ_SCOPE, FHIR_WRITE_SCOPE } from '$lib/server/auth/provider';
import { authRuntime } from '$lib/server/auth/runtime';
import type { DocumentStore } from '$lib/server/store';
import { blocks, mayRead, principalFor, type Principal } from '$lib/server/sync/access';
import { syncRuntime } from '$lib/server/sync/runtime';
import { eventIdOf, nhnHeadersOf, roleFits, type AccessBasis } from './headers';
import { refuse, type FhirRefusal } from './outcome';

export type { AccessBasis } from './headers';

/**
 * Who is calling the FHIR API: the vendor system (the access token's client), the system the
 * request comes from inside it (`nhn-source-system`), the caller's event id, the stated access
 * basis, and the acting clinician, by HPR number and role as the headers give them, with the
 * `Principal` a tablet session of that clinician would have: the same need-to-know decides.
 */
export type FhirCaller = {
	clientId: string;
	sourceSystem: string;
	eventId: string | null;
	basis: AccessBasis;
	reason: string | null;
	hpr: string;
	role: { system: string; code: string; display?: string };
	principal: Principal;
};

const TOKEN_DIAGNOSTICS: Record<ApiRefusal, string> = {
	'token-missing': 'a bearer access token is required (Authorization: Bearer ...)',
	'token-in-url': 'the access token must not be sent in the URL',
	'token-invalid': 'the access token is not one this API accepts (signature, issuer or format)',
	'token-expired': 'the access token has expired',
	'wrong-audience': 'the access token is for another API (resource urn:dbep:api is needed)',
	'scope-missing': 'the access token lacks the scope this request needs'
};

/** The refusal of a token check, with the scope named when it was the scope. */
function tokenRefusal(auth: Extract<ApiAuth, { ok: false }>, scope: string): FhirRefusal {
	const diagnostics = auth.error === 'scope-missing' ? `the access token lacks the scope ${scope}` : TOKEN_DIAGNOSTICS[auth.error];
	return refuse(auth.error, diagnostics, ['header.authorization']);
}

/** What `fhirCallerFrom` needs: the token check, the clinician directory and the register. */
export type CallerDeps = {
	apiCaller(authorization: string | null, url: URL, scope: string): Promise<ApiAuth>;
	clinicians: ClinicianDirectory;
	store: DocumentStore;
};

/**
 * Checks a FHIR request's caller, in this order, so that nothing about a clinician or a header
 * is told to a caller without a valid token: the event id (to echo it in every later refusal),
 * the bearer token and its scope (`dbep.fhir.read` for `need: 'read'`, `dbep.fhir.write` for
 * writes), the nhn-* headers, then the acting clinician in the directory by HPR number, whose
 * directory role must fit the stated HPR category. A user-bound token (the vendor system logged
 * its user in at the issuer) must be bound to that same clinician.
 */
export async function fhirCallerFrom(deps: CallerDeps, request: Request, url: URL, need: 'read' | 'write'): Promise<{ ok: true; caller: FhirCaller } | { ok: false; refusal: FhirRefusal; eventId: string | null }> {
	const event = eventIdOf(request.headers);
	if (!event.ok) return { ok: false, refusal: event.refusal, eventId: null };
	const { eventId } = event;
	const scope = need === 'read' ? FHIR_READ_SCOPE : FHIR_WRITE_SCOPE;
	const auth = await deps.apiCaller(request.headers.get('authorization'), url, scope);
	if (!auth.ok) return { ok: false, refusal: tokenRefusal(auth, scope), eventId };
	const headers = nhnHeadersOf(request.headers);
	if (!headers.ok) return { ok: false, refusal: headers.refusal, eventId };
	const { hpr, role, sourceSystem, basis, reason } = headers.value;
	const user = deps.clinicians.byHpr(hpr);
	if (!user) return { ok: false, refusal: refuse('hpr-unknown', 'the register knows no clinician with the HPR number in nhn-user-hpr', ['header.nhn-user-hpr']), eventId };
	// A user-bound token names the clinician itself: the headers may not name another.
	if (auth.caller.user !== undefined && deps.clinicians.byId(auth.caller.user)?.hpr !== hpr) {
		return { ok: false, refusal: refuse('user-mismatch', 'the access token is bound to a user who is not the clinician nhn-user-hpr names', ['header.nhn-user-hpr']), eventId };
	}
	if (!roleFits(user.role, role.code)) return { ok: false, refusal: refuse('role-mismatch', `the HPR category ${role.code} in nhn-user-role does not fit the clinician's role in the register`, ['header.nhn-user-role']), eventId };
	const principal = await principalFor(deps.store, `fhir:${auth.caller.clientId}`, user);
	return { ok: true, caller: { clientId: auth.caller.clientId, sourceSystem, eventId, basis, reason, hpr, role, principal } };
}

/** `fhirCallerFrom` with the process's login and sync runtimes and the embedded clinician directory. */
export async function fhirCaller(request: Request, url: URL, need: 'read' | 'write'): Promise<{ ok: true; caller: FhirCaller } | { ok: false; refusal: FhirRefusal; eventId: string | null }> {
	const [auth, sync] = await Promise.all([authRuntime(), syncRuntime()]);
	return fhirCallerFrom({ apiCaller: auth.apiCaller, clinicians: demoClinicians, store: sync.store }, request, url, need);
}

/**
 * Whether the acting clinician may see this patient's plan, decided as on a tablet:
 *
 * - On the care team (or holding running emergency access): yes, with `UNNTAK` or `AKUTT`.
 * - `SAMTYKKE` is access on the patient's consent: the consent the plan's privacy records (given
 *   when the plan was made, by the patient or their proxy) to sharing it with its care team. It
 *   does not widen need-to-know: a clinician outside the care team is refused as with `UNNTAK`,
 *   and on the team a plan without recorded consent is refused with 422 `no-consent`.
 * - Not on the care team: refused (403 `not-on-care-team`), unless the basis is `AKUTT` (its
 *   reason checked with the headers): then emergency access is opened exactly as the tablet's
 *   "akutt" button does, time-limited and written to the patient's access log as emergency access
 *   with the reason; a restricted plan refuses it (403 `restricted`, logged as denied).
 * - A clinician the patient blocked is refused whatever the basis (403 `blocked`; an `AKUTT`
 *   attempt is logged as denied, as on the tablet).
 *
 * On success the principal to act with: the caller's, with the emergency access when just opened.
 */
export async function fhirPatientAccess(caller: FhirCaller, patientId: PatientId): Promise<{ ok: true; principal: Principal } | { ok: false; refusal: FhirRefusal }> {
	return patientAccessIn((await syncRuntime()).store, caller, patientId);
}

/** `fhirPatientAccess` against a given register. */
export async function patientAccessIn(store: DocumentStore, caller: FhirCaller, patientId: PatientId, now = new Date()): Promise<{ ok: true; principal: Principal } | { ok: false; refusal: FhirRefusal }> {
	const { principal, basis } = caller;
	const user = principal.user!;
	const [summary] = await store.summaries([patientId]);
	if (!summary) return { ok: false, refusal: refuse('patient-unknown', 'the register holds no plan for this patient') };
	const blocked = () => refuse('blocked', 'the patient has blocked this clinician from their plan', ['header.nhn-user-hpr']);
	if (mayRead(principal, { kind: 'plan', patientId }) && !blocks(summary, user)) {
		if (basis === 'SAMTYKKE' && summary.consent !== true) return { ok: false, refusal: refuse('no-consent', 'the plan records no consent from the patient, so SAMTYKKE cannot be the access basis', ['header.nhn-access-basis']) };
		return { ok: true, principal };
	}
	if (basis !== 'AKUTT') {
		if (blocks(summary, user)) return { ok: false, refusal: blocked() };
		return { ok: false, refusal: refuse('not-on-care-team', 'the clinician is not on the patient’s care team; emergency access needs nhn-access-basis AKUTT with a reason', ['header.nhn-user-hpr']) };
	}
	const opened = await openEmergencyAccess(store, user, summary, caller.reason ?? '', now);
	if (opened.ok) {
		const patients = new Set(principal.patients === 'all' ? [] : principal.patients).add(patientId);
		return { ok: true, principal: { ...principal, patients, emergency: new Map(principal.emergency).set(patientId, opened.until) } };
	}
	// The care team gained the clinician since the principal was made: the ordinary basis holds.
	if (opened.reason === 'already-on-care-team') return { ok: true, principal: await principalFor(store, principal.peerId, user) };
	if (opened.reason === 'blocked') return { ok: false, refusal: blocked() };
	if (opened.reason === 'restricted') return { ok: false, refusal: refuse('restricted', 'the patient has restricted the plan to its care team: no emergency access', ['header.nhn-access-basis']) };
	// The directory gives clinicians only and the headers a reason of the length asked: nothing else is left.
	throw new Error(`DBEP: emergency access through the FHIR API failed unexpectedly (${opened.reason})`);
}
