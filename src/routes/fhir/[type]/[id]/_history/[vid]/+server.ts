import { answerFhir } from '$lib/server/fhir/route';
import { readHistory } from '$lib/server/fhir/read';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => answerFhir(event, 'read', (deps, req) => readHistory(deps, req, event.params.type, event.params.id, event.params.vid));
