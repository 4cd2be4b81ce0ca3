import { conflictKind, type PlanConflict, type Version } from '$lib/domain/conflicts';
import { GOAL_STATUSES, type GoalStatus, type Plan } from '$lib/domain/plan';
import { performerText, timingText } from '$lib/i18n/format';
import { i18n } from '$lib/i18n/index.svelte';

/** What a conflict is about, in words: "formålet", "tiltakets navn", … */
export function conflictSubject(conflict: PlanConflict, plan: Plan): string {
	const what = i18n.m.conflicts.what;
	if (conflict.area === 'goals' && conflict.field === 'text' && conflict.item && plan.goals[conflict.item]?.category === 'purpose') return what.purpose;
	return what[conflictKind(conflict)];
}

const words = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A guidance entry in words, read defensively: the entry's shape belongs to the guidance feature. */
function guidanceText(entry: unknown): string {
	const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
	const level = e.level === 'green' || e.level === 'yellow' || e.level === 'red' ? i18n.m.guidance[e.level] : '';
	const contact = typeof e.contact === 'object' && e.contact !== null ? Object.values(e.contact).map(words).filter(Boolean).join(', ') : words(e.contact);
	return [level, words(e.signs), words(e.action), contact].filter(Boolean).join(' – ');
}

/** One version's value in words, as the plan page shows that field. */
export function versionText(conflict: PlanConflict, index: number, plan: Plan): string {
	const c = i18n.m.conflicts;
	switch (conflict.field) {
		case 'text':
		case 'title':
		case 'description':
			return conflict.versions[index]?.value || c.empty;
		case 'code': {
			const code = conflict.versions[index]?.value;
			return code ? `${code.system} ${code.code}` : c.noCode;
		}
		case 'timing': {
			const timing = conflict.versions[index]?.value;
			return timing ? timingText(timing) : c.empty;
		}
		case 'performer': {
			const performer = conflict.versions[index]?.value;
			return performer ? performerText(performer) : c.empty;
		}
		case 'status': {
			const status = conflict.versions[index]?.value;
			if (!status) return c.empty;
			return conflict.area === 'goals' && GOAL_STATUSES.includes(status as GoalStatus) ? i18n.m.goalStatus[status as GoalStatus] : i18n.m.measureStatus[status as keyof typeof i18n.m.measureStatus];
		}
		case 'responsible': {
			const id = conflict.versions[index]?.value;
			return (id && plan.careTeam[id]?.name) || c.noOne;
		}
		case 'entry':
			return guidanceText(conflict.versions[index]?.value);
	}
}

/** Who wrote a version and when, in words. */
export function authorText(version: Version<unknown>): string {
	if (!version.by || !version.at) return i18n.m.conflicts.unknownAuthor;
	const role = version.by.role in i18n.m.role ? i18n.m.role[version.by.role as keyof typeof i18n.m.role] : version.by.role;
	return i18n.m.conflicts.by(version.by.name, role, i18n.date(version.at), i18n.time(version.at));
}
