import type { ContactGuidance, GuidanceLevel, Plan } from './plan';

/** The levels in the order a reader meets them: all is well first, an emergency last. */
export const GUIDANCE_LEVELS: readonly GuidanceLevel[] = ['green', 'yellow', 'red'];

/** Short numbers that are whole numbers in Norway: fire, police, ambulance (AMK) and the legevakt. */
const SHORT_NUMBERS: ReadonlySet<string> = new Set(['110', '112', '113', '116117']);

/**
 * A Norwegian phone number in its stored form, or null if it is not one: 8 digits (the first
 * 2–9), or an emergency or legevakt short number. People may write `+47` or `0047` before an
 * 8-digit number, and spaces, dots or hyphens between digits.
 */
export function normalizePhone(written: string): string | null {
	const compact = written.trim().replace(/[\s.-]/g, '');
	if (SHORT_NUMBERS.has(compact)) return compact;
	const national = compact.replace(/^(\+47|0047)(?=\d{8}$)/, '');
	return /^[2-9]\d{7}$/.test(national) ? national : null;
}

/** A stored phone number grouped as Norwegians write it: 412 34 567 (mobile, 8xx), 75 12 34 56, 116 117. */
export function formatPhone(phone: string): string {
	if (phone === '116117') return '116 117';
	if (phone.length !== 8) return phone;
	if (/^[489]/.test(phone)) return `${phone.slice(0, 3)} ${phone.slice(3, 5)} ${phone.slice(5)}`;
	return phone.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** The `tel:` link that dials a stored phone number: 8-digit numbers with +47, short numbers as they are. */
export function phoneHref(phone: string): string {
	return phone.length === 8 ? `tel:+47${phone}` : `tel:${phone}`;
}

/** Whom to call at a level; an older plan's free-text line is its name, with no phone of its own. */
export function contactOf(guidance: ContactGuidance): { name: string; phone: string | null } {
	const c = guidance.contact;
	return typeof c === 'string' ? { name: c, phone: null } : { name: c.name, phone: c.phone };
}

/** Whether a level is in force (levels of plans made before they could be ended are). */
export function isInForce(guidance: ContactGuidance): boolean {
	return guidance.status !== 'ended';
}

const byLevel = (a: ContactGuidance, b: ContactGuidance) =>
	GUIDANCE_LEVELS.indexOf(a.level) - GUIDANCE_LEVELS.indexOf(b.level) || (a.at ?? '').localeCompare(b.at ?? '') || a.id.localeCompare(b.id);

/** The plan's levels in force, green to red (within a level, oldest first). */
export function guidanceInForce(plan: Pick<Plan, 'contactGuidance'>): ContactGuidance[] {
	return Object.values(plan.contactGuidance).filter(isInForce).sort(byLevel);
}

/** The plan's ended levels, kept for the history, green to red. */
export function endedGuidance(plan: Pick<Plan, 'contactGuidance'>): ContactGuidance[] {
	return Object.values(plan.contactGuidance)
		.filter((g) => !isInForce(g))
		.sort(byLevel);
}
