import * as Automerge from '@automerge/automerge';
import type { CarePlan, Condition, Goal, Patient, ServiceRequest } from 'fhir/r4';
import { beforeAll, describe, expect, it } from 'vitest';
import { apply, type PlanCommand } from '$lib/domain/commands';
import type { ItemId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { clinicians, createPlanDocument, pal } from '$lib/fixtures';
import { demoUsers, personRefOf } from '$lib/server/access/users';
import { commandFor, deleteCommand } from './commands';
import { planResources, type MappingContext } from './resources';
import { emptyIndex, indexChanges, versionOf } from './versions';
import { fhirProblems, loadFhirValidators } from './validate';

const hprOf = (id: string) => demoUsers.find((u) => u.id === id)?.hpr ?? null;
const nurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;

/** Pål's plan document, its history indexed, and its resources. */
function mapped(doc: Automerge.Doc<Plan>, index = emptyIndex()) {
	const since = Automerge.getChangesSince(doc, index.heads).map(Automerge.decodeChange);
	indexChanges(index, since, Automerge.getHeads(doc));
	const ctx: MappingContext = { index, hprOf };
	return { index, plan: Automerge.toJS(doc), resources: planResources(Automerge.toJS(doc), ctx) };
}

function edited(doc: Automerge.Doc<Plan>, command: PlanCommand, at = '2026-11-02T08:00:00.000Z'): Automerge.Doc<Plan> {
	return Automerge.change(doc, (d) => apply(d, command, { by: personRefOf(nurse), at }));
}

beforeAll(() => void loadFhirValidators(), 120_000);

describe('the plan as FHIR R4 resources', () => {
	const doc = createPlanDocument(pal).doc as Automerge.Doc<Plan>;

	it('maps every part of Pål’s plan to a valid R4 resource with a stable id, a version and who last changed it', () => {
		const { resources } = mapped(doc);
		for (const [key, r] of resources) expect([key, fhirProblems(r)]).toEqual([key, []]);
		const carePlan = resources.get(`CarePlan/${pal.patientId}`) as CarePlan;
		expect(carePlan).toMatchObject({ status: 'active', intent: 'plan', subject: { reference: `Patient/${pal.patientId}` }, careTeam: [{ reference: `CareTeam/${pal.patientId}` }], author: { reference: `PractitionerRole/${pal.careTeam.gp}` } });
		expect(carePlan.addresses?.map((a) => a.reference).sort()).toEqual(Object.values(pal.diagnoses).map((id) => `Condition/${id}`).sort());
		expect(carePlan.activity?.filter((a) => a.detail).map((a) => a.detail?.code?.coding?.[0]?.code).sort()).toEqual(['green', 'red', 'yellow']);
		const patient = resources.get(`Patient/${pal.patientId}`) as Patient;
		expect(patient.identifier).toEqual([{ system: 'urn:oid:2.16.578.1.12.4.1.4.1', value: pal.patient.nationalId }]);

		const glaucoma = resources.get(`Condition/${pal.diagnoses.glaucoma}`) as Condition;
		expect(glaucoma.code).toEqual({ coding: [{ system: 'urn:oid:2.16.578.1.12.4.1.1.7110', code: 'H40.1', display: 'Primært åpenvinkelglaukom' }], text: 'Grønn stær (glaukom)' });
		expect(glaucoma.meta).toMatchObject({ versionId: '1', lastUpdated: '2026-02-16T09:30:00.000Z', tag: [{ code: clinicians.bodoGp.id }, { system: 'urn:oid:2.16.578.1.12.4.1.4.4', code: clinicians.bodoGp.hpr }] });

		const drops = resources.get(`ServiceRequest/${pal.measures.eyeDrops}`) as ServiceRequest;
		expect(drops).toMatchObject({ status: 'active', intent: 'plan', code: { text: 'Øyedråper daglig' }, category: [{ coding: [{ system: 'http://snomed.info/sct', code: '182832007' }] }], occurrenceTiming: { repeat: { periodUnit: 'd', timeOfDay: ['08:00:00'] } }, reasonReference: [{ reference: `Condition/${pal.diagnoses.glaucoma}` }], performer: [{ reference: `PractitionerRole/${pal.careTeam.nurse}` }] });
		const check = resources.get(`ServiceRequest/${pal.measures.annualEyeCheck}`) as ServiceRequest;
		expect(check).toMatchObject({ category: [{ text: 'Kontroll hos spesialist' }], occurrenceTiming: { event: ['2027-03-15'], repeat: { periodUnit: 'a' } } });
		const purpose = resources.get(`Goal/${pal.goals.purpose}`) as Goal;
		expect(purpose).toMatchObject({ lifecycleStatus: 'active', category: [{ coding: [{ code: 'purpose' }] }], addresses: [{ reference: `Condition/${pal.diagnoses.glaucoma}` }] });
		expect((resources.get(`Goal/${pal.whatMatters.livingAtHome}`) as Goal).category?.[0]?.coding?.[0]?.code).toBe('what-matters');
	});

	it('counts a resource’s version from the changes that touched it: an edit of one measure moves that measure only', () => {
		const before = mapped(doc);
		const timing = { kind: 'yearly' as const, nextDue: '2027-04-01' };
		const m = pal.plan.measures[pal.measures.annualEyeCheck]!;
		const next = edited(doc, { type: 'update-measure', id: pal.measures.annualEyeCheck, input: { title: m.title, description: m.description, category: m.category, timing, performer: m.performer, addresses: [...m.addresses], pllReference: m.pllReference } });
		const after = mapped(next, before.index);
		const versions = (r: typeof after.resources) => new Map([...r].map(([k, v]) => [k, v.meta?.versionId]));
		const changed = [...versions(after.resources)].filter(([k, v]) => versions(before.resources).get(k) !== v).map(([k]) => k);
		expect(changed).toEqual([`ServiceRequest/${pal.measures.annualEyeCheck}`]);
		expect(after.resources.get(changed[0]!)?.meta).toMatchObject({ versionId: '2', lastUpdated: '2026-11-02T08:00:00.000Z', tag: [{ code: nurse.id }, { code: nurse.hpr }] });
		expect(versionOf(after.index, 'CarePlan')).toBe(1);
	});
});

describe('FHIR bodies as the domain’s commands', () => {
	const { plan, resources } = mapped(createPlanDocument(pal).doc as Automerge.Doc<Plan>);
	const newId = crypto.randomUUID() as ItemId;

	it('reads back every writable resource it wrote as an update that changes nothing', () => {
		for (const [key, r] of resources) {
			const [type, id] = key.split('/') as [string, ItemId];
			if ((type !== 'Condition' && type !== 'Goal' && type !== 'ServiceRequest') || plan.whatMatters[id]) continue;
			const mappedBack = commandFor(type, r, plan, id, newId);
			expect(mappedBack, key).toMatchObject({ ok: true });
			if (!mappedBack.ok) continue;
			const after = Automerge.change(Automerge.from(structuredClone(plan)), (d) => apply(d, mappedBack.command, { by: personRefOf(nurse), at: '2026-12-01T00:00:00.000Z' }));
			expect(Automerge.toJS(after), key).toEqual(plan);
		}
	});

	it('makes a new measure from a ServiceRequest, and refuses what the plan cannot hold with a reason and where', () => {
		const body: ServiceRequest = {
			resourceType: 'ServiceRequest',
			status: 'active',
			intent: 'plan',
			subject: { reference: `Patient/${pal.patientId}` },
			code: { text: 'Årlig synsundersøkelse' },
			category: [{ text: 'Kontroll' }],
			occurrenceTiming: { event: ['2027-06-01'], repeat: { frequency: 1, period: 1, periodUnit: 'a' } },
			performer: [{ reference: `PractitionerRole/${pal.careTeam.eyeDoctor}` }],
			reasonReference: [{ reference: `Condition/${pal.diagnoses.glaucoma}` }]
		};
		expect(commandFor('ServiceRequest', body, plan, null, newId)).toEqual({
			ok: true,
			command: { type: 'add-measure', id: newId, input: { title: 'Årlig synsundersøkelse', description: '', category: { kind: 'text', text: 'Kontroll' }, timing: { kind: 'yearly', nextDue: '2027-06-01' }, performer: { kind: 'service', role: 'specialist', name: plan.careTeam[pal.careTeam.eyeDoctor]!.organisation }, addresses: [pal.diagnoses.glaucoma], pllReference: null } }
		});
		const refusal = (b: unknown, type: 'Condition' | 'Goal' | 'ServiceRequest' = 'ServiceRequest') => {
			const m = commandFor(type, b, plan, null, newId);
			return m.ok ? null : [m.refusal.status, m.refusal.code, m.refusal.expression[0]];
		};
		expect(refusal({ ...body, intent: 'order' })).toEqual([422, 'intent-plan', 'ServiceRequest.intent']);
		expect(refusal({ ...body, reasonReference: [{ reference: 'Condition/0e2a8d3c-5f4b-4c1a-9d2e-7f6a5b4c3d2e' }] })).toEqual([422, 'reference-not-found', 'ServiceRequest.reasonReference[0]']);
		expect(refusal({ ...body, subject: { reference: 'Patient/another' } })).toEqual([422, 'subject-mismatch', 'ServiceRequest.subject']);
		expect(refusal({ ...body, priority: 'urgent' })).toEqual([422, 'element-not-supported', 'ServiceRequest.priority']);
		expect(refusal({ ...body, category: [{ coding: [{ system: 'http://snomed.info/sct', code: '12345' }] }] })).toEqual([422, 'code-not-supported', 'ServiceRequest.category[0].coding']);
		expect(refusal({ ...body, resourceType: 'Goal' })).toEqual([400, 'wrong-resource-type', 'ServiceRequest.resourceType']);
		expect(refusal({ ...body, code: 'text' })).toEqual([422, 'required', 'ServiceRequest.code.text']);
		expect(refusal({ resourceType: 'Condition', subject: { reference: `Patient/${pal.patientId}` }, code: { coding: [{ system: 'http://loinc.org', code: 'x' }], text: 'x' } }, 'Condition')).toEqual([422, 'code-system-unknown', 'Condition.code.coding[0].system']);
		expect(refusal('[]', 'Goal')).toEqual([400, 'not-a-resource', 'Goal']);
	});

	it('deletes logically: the item is marked entered in error', () => {
		expect(deleteCommand('ServiceRequest', plan, pal.measures.eyeDrops)).toEqual({ type: 'set-measure-status', id: pal.measures.eyeDrops, status: 'entered-in-error' });
		expect(deleteCommand('Condition', plan, pal.diagnoses.dementia)).toMatchObject({ type: 'update-diagnosis', status: 'entered-in-error' });
		expect(deleteCommand('Goal', plan, newId)).toBeNull();
	});
});
