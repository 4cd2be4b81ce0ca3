import { clinicians } from '$lib/fixtures';
import type { Context, PersonRef } from '$lib/domain/plan';

/**
 * The person using this device. Until login exists (issue #4) it is the demo home-care nurse
 * in Rana; every change is stamped with this person.
 */
export const actingUser: PersonRef = {
	name: clinicians.ranaNurse.name,
	role: clinicians.ranaNurse.role,
	organisation: clinicians.ranaNurse.organisation
};

/** The context for an operation done now by the acting user. */
export function nowContext(): Context {
	return { by: actingUser, at: new Date().toISOString() };
}
