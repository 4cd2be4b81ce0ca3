import { beforeAll, describe, expect, it } from 'vitest';
import { fhirProblems, loadFhirValidators } from './validate';

const goal = { resourceType: 'Goal', id: 'g1', lifecycleStatus: 'active', description: { text: 'Gå tur hver dag' }, subject: { reference: 'Patient/p1' } };
const outcome = {
	resourceType: 'OperationOutcome',
	issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'not on the care team', details: { coding: [{ system: 'https://dbep.example/fhir/CodeSystem/refusal', code: 'not-on-care-team' }] }, expression: ['header.nhn-user-hpr'] }]
};

beforeAll(() => void loadFhirValidators(), 120_000);

describe('fhirProblems: HL7’s R4 JSON schema and the R4 StructureDefinitions', () => {
	it('accepts valid resources, a 4.0.1 CapabilityStatement among them', () => {
		expect(fhirProblems(outcome)).toEqual([]);
		expect(fhirProblems(goal)).toEqual([]);
		const capability = { resourceType: 'CapabilityStatement', status: 'active', date: '2026-12-02', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], implementation: { description: 'DBEP' }, rest: [{ mode: 'server' }] };
		expect(fhirProblems(capability)).toEqual([]);
		const bundle = { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ fullUrl: 'https://dbep.example/fhir/Goal/g1', resource: goal, search: { mode: 'match' } }] };
		expect(fhirProblems(bundle)).toEqual([]);
	});

	it('names what the schema finds: a code outside its value set, a number for a string, an unknown element', () => {
		const bad = { ...outcome, issue: [{ severity: 'bad', code: 'nonsense', diagnostics: 3 }] };
		expect(fhirProblems(bad)).toEqual(
			expect.arrayContaining(['schema: /issue/0/severity must be equal to one of the allowed values', 'schema: /issue/0/code must be equal to one of the allowed values', 'schema: /issue/0/diagnostics must be string'])
		);
		expect(fhirProblems({ ...goal, lifecycleStatus: 'done' })).toContain('schema: /lifecycleStatus must be equal to one of the allowed values');
		// medplum's own schema would take OperationOutcome.status; HL7's does not.
		expect(fhirProblems({ ...outcome, status: 'x' })).toContain('schema: / must NOT have additional properties (status)');
	});

	it('names what the StructureDefinitions find: a missing required element, a broken invariant', () => {
		const { issue: _, ...noIssue } = outcome;
		expect(fhirProblems(noIssue)).toContain('definitions: OperationOutcome.issue Missing required property');
		const noRest = { resourceType: 'CapabilityStatement', status: 'active', date: '2026-12-02', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], implementation: { description: 'DBEP' } };
		expect(fhirProblems(noRest).join()).toMatch(/definitions: .*cpb-1/);
		const { subject: __, ...noSubject } = goal;
		expect(fhirProblems(noSubject).some((p) => p.startsWith('definitions: Goal.subject'))).toBe(true);
	});

	it('refuses what is no R4 resource at all', () => {
		expect(fhirProblems(null)).toEqual(['not a FHIR resource: no resourceType']);
		expect(fhirProblems([goal])).toEqual(['not a FHIR resource: no resourceType']);
		expect(fhirProblems({ resourceType: 'Plan' })).toEqual(['not an R4 resource type: Plan']);
		expect(fhirProblems({ resourceType: 'constructor' })).toEqual(['not an R4 resource type: constructor']);
	});
});
