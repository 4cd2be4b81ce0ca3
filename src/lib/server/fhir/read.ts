/**
 * The FHIR API's reads: `CarePlan/_search` by the patient's national ID (in the form body, never
 * the URL), `{type}/{id}`, `{type}/{id}/_history` and `_history/{vid}`. Each answer about a
 * patient is a line in their access log, naming the acting clinician and the vendor system.
 */
import * as Automerge from '@automerge/automerge';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4';
import { planDocId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { planResources } from '$lib/fhir/resources';
import { D_NUMBER_SYSTEM, NATIONAL_ID_SYSTEM } from '$lib/fhir/systems';
import { planByNationalId } from '$lib/server/sync/access';
import { logRead, openPlan, patientOf, READABLE_TYPES, type FhirDeps, type FhirRequest } from './context';
import { fhirError, fhirJson, refuse, type FhirRefusal } from './outcome';

const IDENTIFIER = 'subject:Patient.identifier';
const SEARCH_PARAMS: ReadonlySet<string> = new Set([IDENTIFIER, '_include', 'status']);

/** An ETag for a version, as FHIR has it (weak). */
export const etagOf = (versionId: string | undefined) => `W/"${versionId ?? '0'}"`;

/** Whether a resource is marked entered in error: deleted, as far as the API is concerned. */
export function isDeleted(r: FhirResource): boolean {
	if (r.resourceType === 'Condition') return r.verificationStatus?.coding?.some((c) => c.code === 'entered-in-error') ?? false;
	if (r.resourceType === 'Goal') return r.lifecycleStatus === 'entered-in-error';
	if (r.resourceType === 'ServiceRequest') return r.status === 'entered-in-error';
	return false;
}

/** Refuses a national ID in the URL: URLs end up in logs. */
export function nationalIdInUrl(url: URL): FhirRefusal | null {
	const named = [...url.searchParams.keys()].some((k) => k.startsWith('subject') || k.startsWith('patient') || k === 'identifier');
	const digits = /\d{11}/.test(decodeURIComponent(url.search));
	return named || digits ? refuse('national-id-in-url', 'a national ID must never be in the URL: POST the search to CarePlan/_search as application/x-www-form-urlencoded', ['url.search']) : null;
}

/** `POST /fhir/CarePlan/_search`: the patient's plan with (`_include=*`) everything it references, as a searchset Bundle. */
export async function searchCarePlans(deps: FhirDeps, req: FhirRequest, form: URLSearchParams): Promise<Response> {
	const { caller, base } = req;
	const fail = (diagnostics: string, expression: string) => fhirError(refuse('invalid-search', diagnostics, [expression]), caller.eventId);
	const unknown = [...form.keys()].find((k) => !SEARCH_PARAMS.has(k));
	if (unknown) return fail(`the search parameter ${unknown} is not supported (supported: ${[...SEARCH_PARAMS].join(', ')})`, unknown);
	const identifiers = form.getAll(IDENTIFIER);
	const [system, value, ...rest] = (identifiers[0] ?? '').split('|');
	if (identifiers.length !== 1 || rest.length || (system !== NATIONAL_ID_SYSTEM && system !== D_NUMBER_SYSTEM) || !/^\d{11}$/.test(value ?? '')) {
		return fail(`${IDENTIFIER} is required once, as ${NATIONAL_ID_SYSTEM}|<11 digits> (or the D-number system)`, IDENTIFIER);
	}
	const include = form.getAll('_include');
	if (include.some((i) => i !== '*')) return fail('only _include=* (everything the plan references) is supported', '_include');
	const statuses = form.getAll('status').flatMap((s) => s.split(','));
	if (statuses.some((s) => !['active', 'draft', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'].includes(s))) return fail('status is a CarePlan status code', 'status');

	const found = await planByNationalId(deps.store, value!);
	if (found.found === 'several') return fhirError(refuse('national-id-ambiguous', 'the register holds more than one plan for this national ID and cannot tell which is the person’s'), caller.eventId);
	const empty: Bundle = { resourceType: 'Bundle', type: 'searchset', total: 0, link: [{ relation: 'self', url: `${base}/CarePlan/_search` }] };
	if (found.found === 'none') return fhirJson(empty);
	const open = await openPlan(deps, caller, found.summary.patientId);
	if (!open.ok) return fhirError(open.refusal, caller.eventId);
	const { view, principal } = open;
	const carePlan = view.resources.get(`CarePlan/${view.patientId}`)!;
	// Every plan is active while it exists: another status matches none.
	if (statuses.length && !statuses.includes('active')) return fhirJson(empty);
	const entry = (r: FhirResource, mode: 'match' | 'include'): BundleEntry => ({ fullUrl: `${base}/${r.resourceType}/${r.id}`, resource: r, search: { mode } });
	const included = include.length ? [...view.resources.values()].filter((r) => r !== carePlan).map((r) => entry(r, 'include')) : [];
	await logRead(deps, principal, view.patientId, `CarePlan/_search${include.length ? ' _include=*' : ''}`);
	return fhirJson({ resourceType: 'Bundle', type: 'searchset', total: 1, link: [{ relation: 'self', url: `${base}/CarePlan/_search` }], entry: [entry(carePlan, 'match'), ...included] } satisfies Bundle);
}

/** Whether a path's type is one the API serves. */
export const isReadable = (type: string): type is (typeof READABLE_TYPES)[number] => (READABLE_TYPES as readonly string[]).includes(type);

/** `GET /fhir/{type}/{id}`: the resource now; 410 once it is marked entered in error. */
export async function readResource(deps: FhirDeps, req: FhirRequest, type: string, id: string): Promise<Response> {
	const { caller } = req;
	if (!isReadable(type)) return fhirError(refuse('not-found', `the API serves ${READABLE_TYPES.join(', ')}`), caller.eventId);
	const patientId = await patientOf(deps, caller, type, id);
	const notFound = () => fhirError(refuse('not-found', `no ${type} with this id in a plan the clinician may see`), caller.eventId);
	if (!patientId) return notFound();
	const open = await openPlan(deps, caller, patientId);
	if (!open.ok) return fhirError(open.refusal, caller.eventId);
	const resource = open.view.resources.get(`${type}/${id}`);
	if (!resource) return notFound();
	await logRead(deps, open.principal, patientId, `read ${type}/${id}`);
	const etag = etagOf(resource.meta?.versionId);
	if (isDeleted(resource)) return fhirError(refuse('deleted', `${type}/${id} was deleted (entered in error); its history is kept at ${type}/${id}/_history`), caller.eventId);
	return fhirJson(resource, { headers: { etag, 'last-modified': new Date(resource.meta?.lastUpdated ?? 0).toUTCString() } });
}

/** The resource at each of its versions, newest first, at most `limit`. */
function versionsOf(deps: FhirDeps, doc: Automerge.Doc<unknown>, hashes: readonly string[], key: string, indexKey: string, limit: number): FhirResource[] {
	const out: FhirResource[] = [];
	for (let n = hashes.length; n >= 1 && out.length < limit; n--) {
		const then = Automerge.toJS(Automerge.view(doc, hashes.slice(0, n) as string[])) as Plan;
		const resource = planResources(then, { index: { objects: new Map(), touched: new Map([[indexKey, hashes.slice(0, n) as string[]]]), heads: [] }, hprOf: deps.plans.hprOf }).get(key);
		if (resource) out.push(resource);
	}
	return out;
}

/**
 * Versions one history answer rebuilds. Each is the whole plan materialized at its heads (tens of
 * milliseconds for a long plan) on the server's one thread: ten keeps an answer well under half a
 * second. `total` says how many there are; older ones are read one by one (`_history/{vid}`).
 */
const HISTORY_LIMIT = 10;

/** `GET /fhir/{type}/{id}/_history[/{vid}]`: the resource as it was at each version (or one), from the plan's history. */
export async function readHistory(deps: FhirDeps, req: FhirRequest, type: string, id: string, vid: string | null): Promise<Response> {
	const { caller, base } = req;
	if (!isReadable(type)) return fhirError(refuse('not-found', `the API serves ${READABLE_TYPES.join(', ')}`), caller.eventId);
	const patientId = await patientOf(deps, caller, type, id);
	const open = patientId ? await openPlan(deps, caller, patientId) : null;
	if (open && !open.ok) return fhirError(open.refusal, caller.eventId);
	const key = `${type}/${id}`;
	const indexKey = type === 'CarePlan' || type === 'CareTeam' || type === 'Patient' ? type : key;
	const hashes = open?.view.index.touched.get(indexKey) ?? [];
	if (!open || !hashes.length) return fhirError(refuse('not-found', `no ${type} with this id in a plan the clinician may see`), caller.eventId);
	const n = vid === null ? hashes.length : Number(vid);
	if (!Number.isInteger(n) || n < 1 || n > hashes.length) return fhirError(refuse('not-found', `${key} has versions 1 to ${hashes.length}`, ['vid']), caller.eventId);
	const wanted = vid === null ? HISTORY_LIMIT : 1;
	const resources = (await deps.hub.read(planDocId(open.view.patientId), (doc) => versionsOf(deps, doc, hashes.slice(0, n), key, indexKey, wanted))) ?? [];
	await logRead(deps, open.principal, open.view.patientId, `history ${key}${vid ? `/${vid}` : ''}`);
	if (vid !== null) {
		const [one] = resources;
		if (!one) return fhirError(refuse('not-found', `${key} version ${vid} is not in the plan’s history`), caller.eventId);
		return fhirJson(one, { headers: { etag: etagOf(one.meta?.versionId) } });
	}
	const entry = resources.map((r): BundleEntry => {
		const v = r.meta?.versionId ?? '0';
		return { fullUrl: `${base}/${key}`, resource: r, request: { method: v === '1' ? 'POST' : 'PUT', url: key }, response: { status: v === '1' ? '201' : '200', etag: etagOf(v), ...(r.meta?.lastUpdated ? { lastModified: r.meta.lastUpdated } : {}) } };
	});
	return fhirJson({ resourceType: 'Bundle', type: 'history', total: hashes.length, entry } satisfies Bundle);
}
