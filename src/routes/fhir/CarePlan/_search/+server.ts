import { answerFhir } from '$lib/server/fhir/route';
import { fhirError, refuse } from '$lib/server/fhir/outcome';
import { searchCarePlans } from '$lib/server/fhir/read';
import type { RequestHandler } from './$types';

const MAX_FORM_BYTES = 4096;

/** Search by the patient's national ID, in an application/x-www-form-urlencoded body. */
export const POST: RequestHandler = (event) =>
	answerFhir(event, 'read', async (deps, req) => {
		const { request } = event;
		if (!(request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return fhirError(refuse('media-type', 'a search is posted as application/x-www-form-urlencoded'), req.caller.eventId);
		const text = await request.text();
		if (text.length > MAX_FORM_BYTES) return fhirError(refuse('body-too-large', `a search form is at most ${MAX_FORM_BYTES} bytes`), req.caller.eventId);
		return searchCarePlans(deps, req, new URLSearchParams(text));
	});
