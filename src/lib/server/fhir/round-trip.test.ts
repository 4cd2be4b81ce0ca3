/**
 * A vendor's round trip through the FHIR handlers against a running register (the process's sync
 * runtime on a fresh SQLite file) with the nurse's tablet as a sync device: search Pål's plan,
 * add a measure, update its timing with If-Match, delete it logically; the tablet that was
 * offline gets each change on its next sync and keeps its own concurrent offline edit.
 */
import * as Automerge from '@automerge/automerge';
import type { Bundle, OperationOutcome, ServiceRequest } from 'fhir/r4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apply } from '$lib/domain/commands';
import { planDocId, type ItemId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { clinicians, pal } from '$lib/fixtures';
import { fhirProblems } from '$lib/fhir/validate';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import type { SyncRuntime } from '$lib/server/sync/runtime';
import { TestDevice } from '$lib/server/sync/test-device';
import type { FhirDeps, FhirRequest } from './context';
import { answer, BASE, startHandlerRuntime, type HandlerRuntime } from './handler-test-support';
import { FhirPlans } from './plans';
import { readHistory, readResource, searchCarePlans } from './read';
import { writeResource } from './write';

const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const gp = userOf(clinicians.bodoGp.id);
const nurse = userOf(clinicians.ranaNurse.id);
const palPlan = planDocId(pal.patientId);

let runtime: HandlerRuntime;
let sync: SyncRuntime;
let deps: FhirDeps;
let req: FhirRequest;

beforeAll(async () => {
	runtime = await startHandlerRuntime();
	({ sync, deps } = runtime);
	req = await runtime.requestAs(gp);
}, 120_000);

afterAll(() => runtime?.close());

/** The nurse's tablet comes online, syncs, and goes offline again; returns its copy of the plan. */
async function syncTablet(tablet: TestDevice): Promise<Plan> {
	tablet.connect(sync.hub);
	tablet.hello();
	await tablet.settle();
	tablet.sync();
	await tablet.settle();
	tablet.disconnect();
	return Automerge.toJS(tablet.docs.get(palPlan) as Automerge.Doc<Plan>);
}

const search = (form: Record<string, string>) => searchCarePlans(deps, req, new URLSearchParams(form));

describe('a vendor round trip through the FHIR API', () => {
	it('searches, creates, updates with If-Match, deletes logically; the offline tablet keeps up and keeps its own edit', async () => {
		const tablet = new TestDevice('nurse-tablet', nurse);
		await syncTablet(tablet);

		const found = await answer<Bundle>(await search({ 'subject:Patient.identifier': `urn:oid:2.16.578.1.12.4.1.4.1|${pal.patient.nationalId}`, _include: '*', status: 'active' }));
		expect(found.status).toBe(200);
		expect(found.body).toMatchObject({ type: 'searchset', total: 1 });
		expect(found.body.entry?.[0]).toMatchObject({ fullUrl: `${BASE}/CarePlan/${pal.patientId}`, resource: { resourceType: 'CarePlan', id: pal.patientId }, search: { mode: 'match' } });
		const types = new Set(found.body.entry!.map((e) => e.resource!.resourceType));
		expect([...types].sort()).toEqual(['CarePlan', 'CareTeam', 'Condition', 'Goal', 'Patient', 'PractitionerRole', 'ServiceRequest']);
		for (const e of found.body.entry!) expect(fhirProblems(e.resource)).toEqual([]);

		// Add a measure for the annual eye check at the optician.
		const body: ServiceRequest = {
			resourceType: 'ServiceRequest',
			status: 'active',
			intent: 'plan',
			subject: { reference: `Patient/${pal.patientId}` },
			code: { text: 'Årlig synsundersøkelse hos optiker' },
			category: [{ text: 'Kontroll' }],
			orderDetail: [{ text: 'Synsfelt og øyetrykk. Hjemmetjenesten bestiller transport.' }],
			occurrenceTiming: { event: ['2027-05-01'], repeat: { frequency: 1, period: 1, periodUnit: 'a' } },
			performer: [{ reference: `PractitionerRole/${pal.careTeam.eyeDoctor}` }],
			reasonReference: [{ reference: `Condition/${pal.diagnoses.glaucoma}` }]
		};
		const created = await answer<ServiceRequest>(await writeResource(deps, req, 'ServiceRequest', { kind: 'create', body }));
		expect(created.status).toBe(201);
		const id = created.body.id as ItemId;
		expect(created.headers.get('etag')).toBe('W/"1"');
		expect(created.headers.get('location')).toBe(`${BASE}/ServiceRequest/${id}/_history/1`);
		expect(created.body.meta?.tag?.map((t) => t.code)).toEqual([gp.id, gp.hpr]);
		const onTablet = await syncTablet(tablet);
		expect(onTablet.measures[id]).toMatchObject({ title: body.code!.text, timing: { kind: 'yearly', nextDue: '2027-05-01' }, createdBy: { id: gp.id } });

		// Offline, the nurse rewrites the description; meanwhile the vendor moves the date.
		const m = onTablet.measures[id]!;
		const description = 'Synsfelt og øyetrykk. Pål vil at datteren blir med.';
		tablet.change<Plan>(palPlan, (d) =>
			apply(d, { type: 'update-measure', id, input: { title: m.title, description, category: m.category, timing: m.timing, performer: m.performer, addresses: [...m.addresses], pllReference: m.pllReference } }, { by: personRefOf(nurse), at: new Date().toISOString() })
		);
		const moved = { ...created.body, occurrenceTiming: { event: ['2027-06-15'], repeat: { frequency: 1, period: 1, periodUnit: 'a' as const } } };
		const updated = await answer<ServiceRequest>(await writeResource(deps, req, 'ServiceRequest', { kind: 'update', id, body: moved, ifMatch: 'W/"1"' }));
		expect([updated.status, updated.headers.get('etag'), updated.body.occurrenceTiming?.event]).toEqual([200, 'W/"2"', ['2027-06-15']]);

		// A second update built on version 1 is stale.
		const stale = await answer<OperationOutcome>(await writeResource(deps, req, 'ServiceRequest', { kind: 'update', id, body: { ...moved, code: { text: 'Annen tittel' } }, ifMatch: 'W/"1"' }));
		expect([stale.status, stale.body.issue[0]?.details?.coding?.[0]?.code, stale.body.issue[0]?.expression]).toEqual([412, 'version-mismatch', ['header.if-match']]);
		// The same again changes nothing and makes no version.
		const same = await answer<ServiceRequest>(await writeResource(deps, req, 'ServiceRequest', { kind: 'update', id, body: { ...moved, meta: { versionId: '2' } }, ifMatch: null }));
		expect([same.status, same.headers.get('etag')]).toEqual([200, 'W/"2"']);

		const merged = await syncTablet(tablet);
		expect(merged.measures[id]).toMatchObject({ description, timing: { kind: 'yearly', nextDue: '2027-06-15' } });
		const read = await answer<ServiceRequest>(await readResource(deps, req, 'ServiceRequest', id));
		expect([read.body.orderDetail?.[0]?.text, read.body.occurrenceTiming?.event, read.body.meta?.versionId]).toEqual([description, ['2027-06-15'], '3']);
		// The nurse's edit counts as a version, but was made (offline) before the GP's: the GP's stays the last change.
		expect(read.body.meta?.tag?.[0]?.code).toBe(gp.id);

		const deleted = await writeResource(deps, req, 'ServiceRequest', { kind: 'delete', id, ifMatch: 'W/"3"' });
		expect([deleted.status, deleted.headers.get('etag')]).toEqual([204, 'W/"4"']);
		expect((await syncTablet(tablet)).measures[id]?.status.value).toBe('entered-in-error');
		const gone = await answer<OperationOutcome>(await readResource(deps, req, 'ServiceRequest', id));
		expect([gone.status, gone.body.issue[0]?.code]).toEqual([410, 'deleted']);

		const history = await answer<Bundle>(await readHistory(deps, req, 'ServiceRequest', id, null));
		expect(history.body.entry?.map((e) => [e.resource?.meta?.versionId, (e.resource as ServiceRequest).status])).toEqual([['4', 'entered-in-error'], ['3', 'active'], ['2', 'active'], ['1', 'active']]);
		const first = await answer<ServiceRequest>(await readHistory(deps, req, 'ServiceRequest', id, '1'));
		expect([first.body.occurrenceTiming?.event, first.body.orderDetail?.[0]?.text]).toEqual([['2027-05-01'], body.orderDetail![0]!.text]);

		// What the register read again item by item after each write is what a fresh reading of the whole plan makes.
		const incremental = (await deps.plans.view(pal.patientId))!.resources;
		const fresh = (await new FhirPlans(sync.hub, deps.plans.hprOf).view(pal.patientId))!.resources;
		expect([...incremental]).toEqual([...fresh]);

		// Pål's access log: every read and write, by the GP, through the vendor system.
		const log = (await sync.store.audit(pal.patientId, 100)).filter((l) => l.who.id === gp.id);
		expect(log.filter((l) => l.action === 'change').length).toBe(3);
		expect(log.filter((l) => l.action === 'read').length).toBeGreaterThanOrEqual(5);
		for (const l of log) expect(l.detail).toContain('via EPJ Bodø legesenter (dbep-demo-ehr)');
		const provenance = (await sync.store.provenance(palPlan, 20)).filter((p) => p.who.id === gp.id);
		expect(provenance.map((p) => [p.session, p.who.hpr])).toEqual(Array(3).fill(['api:dbep-demo-ehr', gp.hpr]));
	}, 120_000);
});
