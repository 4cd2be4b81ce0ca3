import { answerFhir } from '$lib/server/fhir/route';
import { fhirError, readFhirBody, refuse } from '$lib/server/fhir/outcome';
import { writeResource } from '$lib/server/fhir/write';
import type { RequestHandler } from './$types';

/** Create: the server gives the id. */
export const POST: RequestHandler = (event) =>
	answerFhir(event, 'write', async (deps, req) => {
		const body = await readFhirBody(event.request);
		if (!body.ok) return fhirError(body.refusal, req.caller.eventId);
		return writeResource(deps, req, event.params.type, { kind: 'create', body: body.value });
	});

/** A search in the URL: refused, since it would put the national ID in logs (see CarePlan/_search). */
export const GET: RequestHandler = (event) =>
	answerFhir(event, 'read', async (_deps, req) => fhirError(refuse('method-not-allowed', 'search with POST /fhir/CarePlan/_search and a form body'), req.caller.eventId));
