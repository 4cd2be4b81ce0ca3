/**
 * The glue every `/fhir` route shares: the caller checked (token, headers, acting clinician), the
 * API's base address, and any unexpected error answered as an OperationOutcome, never a page.
 */
import { fhirCaller } from './caller';
import { fhirRuntime, type FhirDeps, type FhirRequest } from './context';
import { fhirError } from './outcome';
import { serverTrouble } from './trouble';
import { nationalIdInUrl } from './read';

type Handler = (deps: FhirDeps, req: FhirRequest) => Promise<Response>;

/** Answers a FHIR request for a caller with `need`, through `handler`. */
export async function answerFhir(event: { request: Request; url: URL }, need: 'read' | 'write', handler: Handler): Promise<Response> {
	const { request, url } = event;
	const inUrl = nationalIdInUrl(url);
	if (inUrl) return fhirError(inUrl, request.headers.get('nhn-event-id'));
	const checked = await fhirCaller(request, url, need);
	if (!checked.ok) return fhirError(checked.refusal, checked.eventId);
	try {
		return await handler(await fhirRuntime(), { caller: checked.caller, base: `${url.origin}/fhir` });
	} catch (error) {
		console.error('fhir: request failed', error instanceof Error ? error.message : 'unknown error');
		return serverTrouble(500, 'exception', 'the register could not answer; try again');
	}
}

