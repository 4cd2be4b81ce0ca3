/**
 * What every FHIR handler shares: the register (hub and store), the plans as FHIR, the
 * need-to-know check for the acting clinician, and the steps each request takes: find the
 * patient a resource belongs to, decide access, and write the access-log line naming the
 * clinician and the vendor system.
 */
import { isPatientId, planDocId, type PatientId } from '$lib/domain/ids';
import { demoUsers } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import type { Principal } from '$lib/server/sync/access';
import { auditLine } from '$lib/server/sync/audit';
import type { SyncHub } from '$lib/server/sync/hub';
import { syncRuntime } from '$lib/server/sync/runtime';
import { fhirPatientAccess, type FhirCaller } from './caller';
import { refuse, type FhirRefusal } from './outcome';
import { FhirPlans, type PlanView } from './plans';

export type PatientAccess = (caller: FhirCaller, patientId: PatientId) => Promise<{ ok: true; principal: Principal } | { ok: false; refusal: FhirRefusal }>;

/** The register as the FHIR handlers use it. */
export type FhirDeps = { hub: SyncHub; store: DocumentStore; plans: FhirPlans; access: PatientAccess; locks: Map<PatientId, Promise<unknown>> };

/** A request's caller and the address the API is served at (`https://host/fhir`), for fullUrl and Location. */
export type FhirRequest = { caller: FhirCaller; base: string };

/** The resource types the API serves, and those whose id is the patient's. */
export const READABLE_TYPES = ['CarePlan', 'Condition', 'Goal', 'ServiceRequest', 'CareTeam', 'Patient', 'PractitionerRole'] as const;
export type ReadableType = (typeof READABLE_TYPES)[number];
const PER_PATIENT: ReadonlySet<string> = new Set(['CarePlan', 'CareTeam', 'Patient']);

/** The HPR number of a user the register knows (the demo's directory). */
export const hprOf = (personId: string): string | null => demoUsers.find((u) => u.id === personId)?.hpr ?? null;

/** Builds the handlers' dependencies over a hub and its store (the runtime's, or a test's). */
export function fhirDeps(hub: SyncHub, store: DocumentStore, access: PatientAccess = fhirPatientAccess): FhirDeps {
	return { hub, store, plans: new FhirPlans(hub, hprOf), access, locks: new Map() };
}

const RUNTIME = Symbol.for('dbep.fhir');
type Globals = { [RUNTIME]?: Promise<FhirDeps> };

/** The process's FHIR dependencies, over the running sync runtime. */
export function fhirRuntime(): Promise<FhirDeps> {
	const g = globalThis as Globals;
	g[RUNTIME] ??= syncRuntime().then((s) => fhirDeps(s.hub, s.store));
	return g[RUNTIME];
}

/** The principal to act and log with: the clinician's, naming the vendor system it came through. */
export function throughVendor(principal: Principal, caller: FhirCaller): Principal {
	return { ...principal, login: `api:${caller.clientId}`, via: `${caller.sourceSystem} (${caller.clientId})` };
}

/** Writes the access-log line of a read: who, through which system, what. */
export async function logRead(deps: FhirDeps, principal: Principal, patientId: PatientId, what: string): Promise<void> {
	await deps.store.appendAudit([auditLine(principal, { docId: planDocId(patientId), patientId }, 'read', `FHIR ${what}`)]);
}

/**
 * The patient whose plan holds `type/id`: the id itself for the per-patient resources, else the
 * plan the item was last seen in, else the plans the clinician may see (searched, as after a
 * restart). Undefined when none of those holds it.
 */
export async function patientOf(deps: FhirDeps, caller: FhirCaller, type: string, id: string): Promise<PatientId | undefined> {
	if (PER_PATIENT.has(type)) return isPatientId(id) ? id : undefined;
	const { patients } = caller.principal;
	// Known to be another patient's: only for the clinician who may see that patient (or asks in an emergency), else as unknown.
	const known = deps.plans.ownerOf(id);
	if (known) return patients === 'all' || patients.has(known) || caller.basis === 'AKUTT' ? known : undefined;
	for (const patientId of patients === 'all' ? [] : patients) {
		if (await deps.plans.holds(patientId, type, id)) return patientId;
	}
	return undefined;
}

/** The plan of a patient the caller may see, with the principal to act as; or why not. */
export async function openPlan(deps: FhirDeps, caller: FhirCaller, patientId: PatientId): Promise<{ ok: true; principal: Principal; view: PlanView } | { ok: false; refusal: FhirRefusal }> {
	const access = await deps.access(caller, patientId);
	if (!access.ok) return access;
	const view = await deps.plans.view(patientId);
	if (!view) return { ok: false, refusal: refuse('patient-unknown', 'the register holds no plan for this patient') };
	return { ok: true, principal: throughVendor(access.principal, caller), view };
}

/** Runs `work` after every earlier FHIR write of this patient's plan: a version checked is the version written on. */
export function serially<T>(deps: FhirDeps, patientId: PatientId, work: () => Promise<T>): Promise<T> {
	const before = deps.locks.get(patientId) ?? Promise.resolve();
	const run = before.then(work, work);
	const tail = run.catch(() => undefined);
	deps.locks.set(patientId, tail);
	void tail.then(() => deps.locks.get(patientId) === tail && deps.locks.delete(patientId));
	return run;
}
