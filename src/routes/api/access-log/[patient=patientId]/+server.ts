import { json } from '@sveltejs/kit';
import type { PatientId } from '$lib/domain/ids';
import { allows } from '$lib/server/access/users';
import type { AuditAction } from '$lib/server/store/types';
import { syncRuntime } from '$lib/server/sync/runtime';
import type { RequestHandler } from './$types';

const noStore = { 'cache-control': 'no-store' };
/** Lines a page holds; older ones are a `next` away. */
const PAGE = 100;
/** What the patient must always see first, however many reads came after: emergency access granted or denied. */
const EMERGENCY: readonly AuditAction[] = ['emergency-access', 'emergency-denied'];

/**
 * The patient's access log (innsynslogg), newest first, a page at a time (`?before=<next>` for
 * older lines), with every emergency access on the first page: a flood of reads from one tablet
 * can push nothing out of sight. For the patient and their proxies only. Read-only: the log has
 * no API that changes it.
 */
export const GET: RequestHandler = async ({ locals, params, url }) => {
	const user = locals.user;
	if (!user) return json({ error: 'not-logged-in', message: 'Logg inn for å se innsynsloggen.' }, { status: 401, headers: noStore });
	const patientId = params.patient as PatientId;
	if (!user.patients.includes(patientId) || !allows(user, 'access-log')) return json({ error: 'forbidden', message: 'Bare pasienten og den som har fullmakt, kan se innsynsloggen.' }, { status: 403, headers: noStore });
	const before = url.searchParams.get('before');
	const store = (await syncRuntime()).store;
	try {
		const page = await store.auditPage(patientId, { limit: PAGE, before });
		const emergency = before ? null : (await store.auditPage(patientId, { limit: 1000, actions: EMERGENCY })).entries;
		return json({ patientId, entries: page.entries, next: page.next, emergency }, { headers: noStore });
	} catch (error) {
		if (error instanceof TypeError) return json({ error: 'bad-cursor', message: 'Ugyldig side i innsynsloggen: last siden på nytt.' }, { status: 400, headers: noStore });
		throw error;
	}
};
