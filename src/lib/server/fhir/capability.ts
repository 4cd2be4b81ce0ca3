/**
 * The CapabilityStatement at `GET /fhir/metadata`: exactly what the API implements, no more. It is
 * built from the same lists the handlers use, so the two cannot drift apart.
 */
import type { CapabilityStatement, CapabilityStatementRestResource } from 'fhir/r4';
import { WRITABLE_TYPES } from '$lib/fhir/commands';
import { READABLE_TYPES } from './context';

type Interaction = NonNullable<CapabilityStatementRestResource['interaction']>[number]['code'];

function resource(type: string): CapabilityStatementRestResource {
	const writable = (WRITABLE_TYPES as readonly string[]).includes(type);
	const interactions: Interaction[] = ['read', 'vread', 'history-instance', ...(writable ? (['create', 'update', 'delete'] as const) : []), ...(type === 'CarePlan' ? (['search-type'] as const) : [])];
	return {
		type,
		interaction: interactions.map((code) => ({ code })),
		versioning: 'versioned-update',
		readHistory: true,
		updateCreate: false,
		...(writable ? { conditionalCreate: false, conditionalUpdate: false, conditionalDelete: 'not-supported' as const } : {}),
		...(type === 'CarePlan'
			? {
					searchInclude: ['*'],
					searchParam: [
						{ name: 'subject:Patient.identifier', type: 'token', documentation: 'The patient’s national ID or D-number, system|value; only in a POST to CarePlan/_search (form body), never in the URL' },
						{ name: 'status', type: 'token', documentation: 'A plan is active while it exists' }
					]
				}
			: {})
	};
}

/** The CapabilityStatement of this server, for the API at `base` (`https://host/fhir`). */
export function capabilityStatement(base: string, date: string): CapabilityStatement {
	return {
		resourceType: 'CapabilityStatement',
		status: 'active',
		date,
		kind: 'instance',
		software: { name: 'DBEP register' },
		implementation: { description: 'DBEP: the shared treatment and self-treatment plan (behandlings- og egenbehandlingsplan), FHIR R4 facade', url: base },
		fhirVersion: '4.0.1',
		format: ['application/fhir+json'],
		rest: [
			{
				mode: 'server',
				documentation: 'Bearer access token (client credentials, resource urn:dbep:api, scopes dbep.fhir.read / dbep.fhir.write); headers nhn-user-hpr, nhn-user-role, nhn-source-system, nhn-access-basis, nhn-access-reason, nhn-event-id. See docs/fhir.md.',
				security: { service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }], description: 'OAuth 2.0 bearer tokens from the register’s issuer' },
				resource: READABLE_TYPES.map(resource)
			}
		]
	};
}
