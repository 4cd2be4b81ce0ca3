import type { CareRole, Plan } from './plan';

/** How far back "recently" reaches when the privacy section tells of emergency access. */
export const RECENT_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;

/** One line of the patient's access log (innsynslogg): what the privacy summary needs of it. */
export type AccessLine = { at: string; action: string; who: { name: string; organisation: string | null }; until?: string };

/** The access log as this device could get it: the lines, or why it could not. */
export type AccessLogAnswer = { ok: true; entries: readonly AccessLine[] } | { ok: false; why: 'offline' | 'not-allowed' | 'unavailable' };

/** What the access log tells of emergency access (akutt tilgang); unknown when it could not be read. */
export type EmergencyUse =
	| { known: false; why: 'offline' | 'not-allowed' | 'unavailable' }
	| {
			known: true;
			/** Grants in the last `RECENT_DAYS` days. */
			recent: number;
			last: { name: string; organisation: string | null; at: string; until: string | null } | null;
			/** Whether the latest grant still runs at `now` (a restricted plan ends it). */
			running: boolean;
	  };

/** The patient's privacy as in force now: restriction, active blocks, and emergency access. */
export type PrivacyState = { restricted: boolean; blocked: number; emergency: EmergencyUse };

/** Reads what is in force now from the plan and the access log, at `now` (an ISO instant). */
export function privacyStateOf(plan: Plan, log: AccessLogAnswer, now: string): PrivacyState {
	const restricted = plan.privacy?.restricted.value ?? false;
	const blocked = Object.values(plan.privacy?.blocked ?? {}).filter((b) => b.active).length;
	if (!log.ok) return { restricted, blocked, emergency: { known: false, why: log.why } };
	const grants = log.entries.filter((e) => e.action === 'emergency-access').sort((a, b) => b.at.localeCompare(a.at));
	const since = new Date(Date.parse(now) - RECENT_DAYS * DAY_MS).toISOString();
	const latest = grants[0];
	const last = latest ? { name: latest.who.name, organisation: latest.who.organisation, at: latest.at, until: latest.until ?? null } : null;
	const running = !restricted && last?.until != null && last.until > now;
	return { restricted, blocked, emergency: { known: true, recent: grants.filter((g) => g.at >= since).length, last, running } };
}

/** What blocking `personId` would cost the plan: their place on the care team, and being responsible for it. */
export function blockWarnings(plan: Plan, personId: string): { member: { name: string; role: CareRole } | null; responsible: boolean } {
	const member = Object.values(plan.careTeam).find((m) => m.active && m.personId === personId);
	if (!member) return { member: null, responsible: false };
	return { member: { name: member.name, role: member.role }, responsible: plan.responsible.value === member.id };
}

const isString = (v: unknown): v is string => typeof v === 'string';

function accessLine(v: unknown): AccessLine | null {
	if (!v || typeof v !== 'object') return null;
	const { at, action, who, until } = v as Record<string, unknown>;
	if (!isString(at) || Number.isNaN(Date.parse(at)) || !isString(action) || !who || typeof who !== 'object') return null;
	const { name, organisation } = who as Record<string, unknown>;
	if (!isString(name) || !(organisation === null || isString(organisation))) return null;
	if (until !== undefined && !isString(until)) return null;
	return { at, action, who: { name, organisation }, ...(until ? { until } : {}) };
}

/** Checks the register's answer from `/api/access-log/[patient]`: its lines, or null when it is not one. */
export function parseAccessLog(body: unknown): AccessLine[] | null {
	const entries = body && typeof body === 'object' ? (body as Record<string, unknown>).entries : undefined;
	if (!Array.isArray(entries)) return null;
	const lines = entries.map(accessLine);
	return lines.every((l): l is AccessLine => l !== null) ? lines : null;
}
