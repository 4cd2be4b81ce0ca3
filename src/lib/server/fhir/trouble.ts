import type { OperationOutcome } from 'fhir/r4';
import { fhirJson } from './outcome';

/** The register's own trouble (not the caller's): 500, or 503 for a change not stored that may be sent again. */
export function serverTrouble(status: 500 | 503, code: 'exception' | 'transient', diagnostics: string): Response {
	const outcome: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
	return fhirJson(outcome, { status, headers: status === 503 ? { 'retry-after': '1' } : {} });
}
