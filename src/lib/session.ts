import { clinicians } from '$lib/fixtures';
import type { Context, PersonRef } from '$lib/domain/plan';
import { account } from '$lib/state/account.svelte';

/**
 * The person using this device. Until login exists (issue #4) it is the demo home-care nurse
 * in Rana; every change is stamped with this person.
 */
export const actingUser: PersonRef = {
	name: clinicians.ranaNurse.name,
	role: clinicians.ranaNurse.role,
	organisation: clinicians.ranaNurse.organisation
};

/** The context for an operation done now by the logged-in user (the demo nurse while nobody is). */
export function nowContext(): Context {
	return { by: account.personRef() ?? actingUser, at: new Date().toISOString() };
}
