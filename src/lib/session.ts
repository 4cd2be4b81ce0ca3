import type { Context } from '$lib/domain/plan';
import { account } from '$lib/state/account.svelte';

/**
 * The context for an operation done now by the logged-in user. The app shows no patient data
 * without a valid session, so a change without one is a programmer error.
 */
export function nowContext(): Context {
	const by = account.personRef();
	if (!by) throw new Error('DBEP: a change needs a logged-in user');
	return { by, at: new Date().toISOString() };
}
