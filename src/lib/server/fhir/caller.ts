/*
 * temporary: F2 owns this file (helper F2's branch has the real one: headers, directory, AKUTT).
 * This stand-in keeps the exports' shapes so the FHIR routes build and run; it checks the token
 * and reads the acting clinician by HPR number, nothing more.
 */
import type { PatientId } from '$lib/domain/ids';
import { demoUsers } from '$lib/server/access/users';
import { authRuntime } from '$lib/server/auth/runtime';
import { mayRead, principalFor, type Principal } from '$lib/server/sync/access';
import { syncRuntime } from '$lib/server/sync/runtime';
import { refuse, type FhirRefusal } from './outcome';

export type AccessBasis = 'UNNTAK' | 'SAMTYKKE' | 'AKUTT';
export type FhirCaller = { clientId: string; sourceSystem: string; eventId: string | null; basis: AccessBasis; reason: string | null; hpr: string; role: { system: string; code: string; display?: string }; principal: Principal };

export async function fhirCaller(request: Request, url: URL, need: 'read' | 'write'): Promise<{ ok: true; caller: FhirCaller } | { ok: false; refusal: FhirRefusal; eventId: string | null }> {
	const eventId = request.headers.get('nhn-event-id');
	const auth = await (await authRuntime()).apiCaller(request.headers.get('authorization'), url, need === 'read' ? 'dbep.fhir.read' : 'dbep.fhir.write');
	if (!auth.ok) return { ok: false, refusal: refuse(auth.error, auth.error, ['header.authorization']), eventId };
	const hpr = request.headers.get('nhn-user-hpr') ?? '';
	const user = demoUsers.find((u) => u.hpr && u.hpr === hpr);
	if (!user) return { ok: false, refusal: refuse('hpr-unknown', 'unknown nhn-user-hpr', ['header.nhn-user-hpr']), eventId };
	const sourceSystem = request.headers.get('nhn-source-system') ?? '';
	if (sourceSystem.length < 3) return { ok: false, refusal: refuse('header-missing', 'nhn-source-system', ['header.nhn-source-system']), eventId };
	const principal = await principalFor((await syncRuntime()).store, `fhir:${auth.caller.clientId}`, user);
	return { ok: true, caller: { clientId: auth.caller.clientId, sourceSystem, eventId, basis: 'UNNTAK', reason: null, hpr, role: { system: 'urn:oid:2.16.578.1.12.4.1.1.9060', code: 'LE' }, principal } };
}

export async function fhirPatientAccess(caller: FhirCaller, patientId: PatientId): Promise<{ ok: true; principal: Principal } | { ok: false; refusal: FhirRefusal }> {
	if (mayRead(caller.principal, { kind: 'plan', patientId })) return { ok: true, principal: caller.principal };
	return { ok: false, refusal: refuse('not-on-care-team', 'the clinician is not on the patient’s care team') };
}
