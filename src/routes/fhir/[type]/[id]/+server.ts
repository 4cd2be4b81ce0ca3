import { answerFhir } from '$lib/server/fhir/route';
import { fhirError, readFhirBody } from '$lib/server/fhir/outcome';
import { readResource } from '$lib/server/fhir/read';
import { writeResource } from '$lib/server/fhir/write';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => answerFhir(event, 'read', (deps, req) => readResource(deps, req, event.params.type, event.params.id));

export const PUT: RequestHandler = (event) =>
	answerFhir(event, 'write', async (deps, req) => {
		const body = await readFhirBody(event.request);
		if (!body.ok) return fhirError(body.refusal, req.caller.eventId);
		return writeResource(deps, req, event.params.type, { kind: 'update', id: event.params.id, body: body.value, ifMatch: event.request.headers.get('if-match') });
	});

/** A logical delete: the item is marked entered in error, its history kept. */
export const DELETE: RequestHandler = (event) =>
	answerFhir(event, 'write', (deps, req) => writeResource(deps, req, event.params.type, { kind: 'delete', id: event.params.id, ifMatch: event.request.headers.get('if-match') }));
