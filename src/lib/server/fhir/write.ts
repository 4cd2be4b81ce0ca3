/**
 * The FHIR API's writes: create (POST), update (PUT) and logical delete (DELETE) of Condition,
 * Goal and ServiceRequest. Each becomes one domain command run through the register's one write
 * path (`SyncHub.run`) as the acting clinician, through the vendor system: the same role rules,
 * validation, provenance, access log and fan-out to tablets as a device's change. Optimistic
 * concurrency: `If-Match: W/"<versionId>"` (or the body's `meta.versionId`) must name the current
 * version, checked and written with no other FHIR write of the plan in between.
 */
import type { FhirResource, Reference } from 'fhir/r4';
import { isPatientId, type ItemId, type PatientId } from '$lib/domain/ids';
import { newItemId } from '$lib/new-id';
import { commandFor, deleteCommand, WRITABLE_TYPES, type WritableType } from '$lib/fhir/commands';
import { NATIONAL_ID_SYSTEM, D_NUMBER_SYSTEM } from '$lib/fhir/systems';
import { planByNationalId } from '$lib/server/sync/access';
import type { CommandOutcome } from '$lib/server/sync/commands';
import { openPlan, patientOf, serially, type FhirDeps, type FhirRequest } from './context';
import { fhirError, fhirJson, refuse, type FhirRefusal } from './outcome';
import { serverTrouble } from './trouble';
import { etagOf, isDeleted } from './read';

export const isWritable = (type: string): type is WritableType => (WRITABLE_TYPES as readonly string[]).includes(type);

/** The version an If-Match header names (`W/"3"`, `"3"`), undefined without one, null for one that names none. */
export function versionOfIfMatch(header: string | null): string | null | undefined {
	if (header === null) return undefined;
	return /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim())?.[1] ?? null;
}

/** The refusal of a command by the write path, by its reason. */
function refusalOf(outcome: Extract<CommandOutcome, { ok: false }>): FhirRefusal | 'unavailable' {
	if (outcome.reason === 'server-error') return 'unavailable';
	if (outcome.reason === 'document-forbidden') return refuse('forbidden-change', outcome.detail);
	if (outcome.reason === 'change-refused') return outcome.detail.startsWith('document-invalid') ? refuse('business-rule', outcome.detail) : refuse('forbidden-change', outcome.detail);
	return refuse('business-rule', outcome.detail);
}

/** The patient a new resource's subject names: `Patient/<id>`, or the national ID as an identifier. */
async function subjectOf(deps: FhirDeps, body: unknown, type: string): Promise<PatientId | FhirRefusal> {
	const subject = (body as { subject?: Reference } | null)?.subject;
	const id = /^Patient\/(.+)$/.exec(subject?.reference ?? '')?.[1];
	if (isPatientId(id)) return id;
	const { system, value } = subject?.identifier ?? {};
	if ((system === NATIONAL_ID_SYSTEM || system === D_NUMBER_SYSTEM) && typeof value === 'string') {
		const found = await planByNationalId(deps.store, value);
		if (found.found === 'one') return found.summary.patientId;
		if (found.found === 'several') return refuse('national-id-ambiguous', 'the register holds more than one plan for this national ID');
	}
	return refuse('reference-not-found', 'subject must be a Patient of the register (Patient/<id> or the national ID as identifier)', [`${type}.subject`]);
}

type Write = { kind: 'create'; body: unknown } | { kind: 'update'; id: string; body: unknown; ifMatch: string | null } | { kind: 'delete'; id: string; ifMatch: string | null };

/** Runs one write of a `type` resource; every answer is a FHIR response (the resource, or an OperationOutcome). */
export async function writeResource(deps: FhirDeps, req: FhirRequest, type: string, write: Write): Promise<Response> {
	const { caller, base } = req;
	const fail = (refusal: FhirRefusal) => fhirError(refusal, caller.eventId);
	if (!isWritable(type)) return fail(refuse('method-not-allowed', `only ${WRITABLE_TYPES.join(', ')} are written through the API`));
	const patientId = write.kind === 'create' ? await subjectOf(deps, write.body, type) : await patientOf(deps, caller, type, write.id);
	if (patientId === undefined) return fail(refuse('not-found', `no ${type} with this id in a plan the clinician may see`));
	if (typeof patientId !== 'string') return fail(patientId);
	return serially(deps, patientId, async () => {
		const open = await openPlan(deps, caller, patientId);
		if (!open.ok) return fail(open.refusal);
		const { view, principal } = open;
		const id = write.kind === 'create' ? newItemId() : (write.id as ItemId);
		const key = `${type}/${id}`;
		const current = write.kind === 'create' ? undefined : view.resources.get(key);
		if (write.kind !== 'create') {
			if (!current) return fail(refuse('not-found', `no ${key} in this plan`));
			const named = versionOfIfMatch(write.ifMatch);
			if (named === null) return fail(refuse('header-invalid', 'If-Match is W/"<versionId>"', ['header.if-match']));
			const inBody = write.kind === 'update' ? (write.body as { meta?: { versionId?: unknown } } | null)?.meta?.versionId : undefined;
			const stale = [named, inBody].find((v) => v !== undefined && v !== current.meta?.versionId);
			if (stale !== undefined) return fail(refuse('version-mismatch', `${key} is at version ${current.meta?.versionId}, not ${String(stale)}: read it again, then write`, [named !== undefined ? 'header.if-match' : `${type}.meta.versionId`]));
			if (write.kind === 'delete' && isDeleted(current)) return new Response(null, { status: 204, headers: { etag: etagOf(current.meta?.versionId) } });
		}
		const mapped = write.kind === 'delete' ? { ok: true as const, command: deleteCommand(type, view.plan, id)! } : commandFor(type, write.body, view.plan, write.kind === 'update' ? id : null, id);
		if (!mapped.ok) return fail(mapped.refusal);
		const outcome = await deps.hub.run(principal, patientId, mapped.command);
		if (!outcome.ok) {
			const refusal = refusalOf(outcome);
			if (refusal === 'unavailable') return serverTrouble(503, 'transient', 'the register could not store the change; send it again');
			return fail(refusal);
		}
		const after = (await deps.plans.view(patientId))?.resources.get(key) as FhirResource | undefined;
		if (!after) return fail(refuse('not-found', `${key} is not in the plan after the write`));
		const v = after.meta?.versionId ?? '0';
		const headers = { etag: etagOf(v), location: `${base}/${key}/_history/${v}`, 'last-modified': new Date(after.meta?.lastUpdated ?? 0).toUTCString() };
		if (write.kind === 'delete') return new Response(null, { status: 204, headers: { etag: headers.etag } });
		return fhirJson(after, { status: write.kind === 'create' ? 201 : 200, headers });
	});
}
