import { capabilityStatement } from '$lib/server/fhir/capability';
import { fhirJson } from '$lib/server/fhir/outcome';
import type { RequestHandler } from './$types';

/** The CapabilityStatement: open to anyone, as FHIR asks (it holds no health data). */
export const GET: RequestHandler = ({ url }) => fhirJson(capabilityStatement(`${url.origin}/fhir`, '2026-12-02'));
