import type { PatientId } from '$lib/domain/ids';
import type { PageLoad } from './$types';

export const load: PageLoad = ({ params }) => ({ patientId: params.id as PatientId });
