import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { clinicians, createPlanDocument, pal } from '../fixtures';
import { isConflictList, planConflicts, resolveConflict, type PlanConflict, type Resolution } from './conflicts';
import type { GoalInput, GuidanceInput, MeasureInput } from './inputs';
import type { Context, Measure, Plan } from './plan';
import { putContactGuidance, setMeasureStatus, setNextDue, setResponsible, updateDiagnosis, updateGoal, updateMeasure } from './plan-ops';

const as = (who: keyof typeof clinicians, at: string): Context => {
	const { id, name, role, organisation } = clinicians[who];
	return { by: { id, name, role, organisation }, at };
};
const gp = as('bodoGp', '2026-12-01T09:12:00.000Z');
const nurse = as('ranaNurse', '2026-12-01T09:40:00.000Z');
const GP_TEXT = 'Bevare synet lengst mulig';
const NURSE_TEXT = 'Unngå blindhet og fall i hjemmet';
const PURPOSE = pal.goals.purpose;
const DROPS = pal.measures.eyeDrops;
const GLAUCOMA = pal.diagnoses.glaucoma;

/** Pål's plan on the GP's tablet in Bodø and on the Rana nurse's, each with its own actor. */
function tablets(): [A.Doc<Plan>, A.Doc<Plan>] {
	const { doc } = createPlanDocument(pal);
	return [A.clone(doc, { actor: 'aa'.repeat(16) }), A.clone(doc, { actor: 'bb'.repeat(16) })];
}

/** Both tablets edit offline, then sync: each ends up holding the other's change too. */
function offline(edit: (plan: Plan, ctx: Context) => void, other: (plan: Plan, ctx: Context) => void): [A.Doc<Plan>, A.Doc<Plan>] {
	const [a, b] = tablets();
	const a2 = A.change(a, (d) => edit(d, gp));
	const b2 = A.change(b, (d) => other(d, nurse));
	return [A.merge(A.clone(a2), b2), A.merge(A.clone(b2), a2)];
}

const goalInput = (plan: Plan, text: string): GoalInput => {
	const g = plan.goals[PURPOSE]!;
	return { category: g.category, text, targetDate: g.targetDate, addresses: [...g.addresses] };
};
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const measureInput = (m: Measure, change: Partial<MeasureInput>): MeasureInput => ({
	title: m.title,
	description: m.description,
	category: plain(m.category),
	timing: plain(m.timing),
	performer: plain(m.performer),
	addresses: [...m.addresses],
	pllReference: m.pllReference,
	...change
});
const rewritePurpose = (text: string) => (p: Plan, ctx: Context) => updateGoal(p, PURPOSE, goalInput(p, text), ctx);
const editDrops = (change: Partial<MeasureInput>) => (p: Plan, ctx: Context) => updateMeasure(p, DROPS, measureInput(p.measures[DROPS]!, change), ctx);
const only = (conflicts: PlanConflict[]) => {
	expect(conflicts).toHaveLength(1);
	return conflicts[0]!;
};

describe('two clinicians rewriting one text offline', () => {
	it('never get a mix of both texts: the purpose reads as one of the two, on both tablets', () => {
		const [gpTablet, nurseTablet] = offline(rewritePurpose(GP_TEXT), rewritePurpose(NURSE_TEXT));
		const text = gpTablet.goals[PURPOSE]!.text;
		expect([GP_TEXT, NURSE_TEXT]).toContain(text);
		expect(nurseTablet.goals[PURPOSE]!.text).toBe(text);
	});

	it('keep both versions, with who wrote each and when, the same on both tablets', () => {
		const [gpTablet, nurseTablet] = offline(rewritePurpose(GP_TEXT), rewritePurpose(NURSE_TEXT));
		const conflict = only(planConflicts(gpTablet));
		expect(conflict).toMatchObject({ path: `goals/${PURPOSE}/text`, area: 'goals', item: PURPOSE, field: 'text' });
		expect(conflict.versions).toEqual([
			{ value: GP_TEXT, by: gp.by, at: gp.at },
			{ value: NURSE_TEXT, by: nurse.by, at: nurse.at }
		]);
		expect(planConflicts(nurseTablet)).toEqual([conflict]);
	});

	it.each<[string, Resolution, string]>([
		['choosing the GP’s version', { choose: 0 }, GP_TEXT],
		['choosing the nurse’s version', { choose: 1 }, NURSE_TEXT],
		['writing a new text', { write: 'Bevare synet og unngå fall' }, 'Bevare synet og unngå fall']
	])('are resolved in one change by %s, which reaches the other tablet as any change does', (_, resolution, text) => {
		const [gpTablet, nurseTablet] = offline(rewritePurpose(GP_TEXT), rewritePurpose(NURSE_TEXT));
		const conflict = only(planConflicts(nurseTablet));
		const changes = A.getHistory(nurseTablet).length;
		const resolved = A.change(nurseTablet, (d) => resolveConflict(d, conflict, resolution, { ...nurse, at: '2026-12-01T10:05:00.000Z' }));
		expect(A.getHistory(resolved)).toHaveLength(changes + 1);
		const synced = A.merge(gpTablet, resolved);
		for (const doc of [resolved, synced]) {
			expect(planConflicts(doc)).toEqual([]);
			expect(doc.goals[PURPOSE]!.text).toBe(text);
			expect(doc.goals[PURPOSE]!.textStamp).toEqual({ value: text, by: nurse.by, at: '2026-12-01T10:05:00.000Z' });
		}
	});

	it('covers the diagnosis text and code, the measure title, description, timing, performer and status, and the responsible', () => {
		const [doc] = offline(
			(p, ctx) => {
				updateDiagnosis(p, GLAUCOMA, { text: 'Glaukom, begge øyne', code: { system: 'ICD-10', code: 'H40.1', display: null } }, ctx);
				updateMeasure(p, DROPS, measureInput(p.measures[DROPS]!, { title: 'Øyedråper morgen', description: 'Begge øyne', timing: { kind: 'daily', times: ['09:00'] }, performer: { kind: 'relative' } }), ctx);
				setMeasureStatus(p, DROPS, 'on-hold', ctx);
				setResponsible(p, pal.careTeam.nurse, ctx);
			},
			(p, ctx) => {
				updateDiagnosis(p, GLAUCOMA, { text: 'Grønn stær', code: { system: 'ICD-10', code: 'H40.9', display: null } }, ctx);
				updateMeasure(p, DROPS, measureInput(p.measures[DROPS]!, { title: 'Dråper i øynene', description: 'Høyre øye', timing: { kind: 'daily', times: ['07:30'] }, performer: { kind: 'patient' } }), ctx);
				setMeasureStatus(p, DROPS, 'completed', ctx);
				setResponsible(p, pal.careTeam.eyeDoctor, ctx);
			}
		);
		const conflicts = planConflicts(doc);
		expect(conflicts.map((c) => c.path).sort()).toEqual(
			[
				`diagnoses/${GLAUCOMA}/text`,
				`diagnoses/${GLAUCOMA}/code`,
				`measures/${DROPS}/title`,
				`measures/${DROPS}/description`,
				`measures/${DROPS}/timing`,
				`measures/${DROPS}/performer`,
				`measures/${DROPS}/status`,
				'responsible'
			].sort()
		);
		for (const c of conflicts) expect(c.versions.map((v) => v.by?.name)).toEqual([gp.by.name, nurse.by.name]);
		expect(['Øyedråper morgen', 'Dråper i øynene']).toContain(doc.measures[DROPS]!.title);
		let resolved = doc;
		for (const c of conflicts) resolved = A.change(resolved, (d) => resolveConflict(d, c, { choose: 1 }, nurse));
		expect(planConflicts(resolved)).toEqual([]);
		expect(resolved.measures[DROPS]).toMatchObject({ title: 'Dråper i øynene', description: 'Høyre øye', timing: { kind: 'daily', times: ['07:30'] }, performer: { kind: 'patient' } });
		expect(resolved.measures[DROPS]!.status.value).toBe('completed');
		expect(resolved.responsible.value).toBe(pal.careTeam.eyeDoctor);
		expect(resolved.diagnoses[GLAUCOMA]).toMatchObject({ text: 'Grønn stær', code: { code: 'H40.9' } });
	});

	it('shows a moved due date against a changed timing as two versions', () => {
		const check = pal.measures.annualEyeCheck;
		const [doc] = offline(
			(p, ctx) => setNextDue(p, check, '2027-01-15', ctx),
			(p, ctx) => updateMeasure(p, check, measureInput(p.measures[check]!, { timing: { kind: 'as-needed' } }), ctx)
		);
		expect(only(planConflicts(doc)).versions.map((v) => v.value)).toEqual([{ kind: 'yearly', nextDue: '2027-01-15' }, { kind: 'as-needed' }]);
	});

	it('detects two whole guidance entries set at once, and resolves them in the name of the one choosing', () => {
		const red = pal.contactGuidance.red;
		const input = (p: Plan, action: string): GuidanceInput => {
			const g = p.contactGuidance[red]!;
			return { level: g.level, signs: g.signs, action, contact: { name: 'Legevakten', phone: '116117' } };
		};
		const [doc] = offline(
			(p, ctx) => putContactGuidance(p, red, input(p, 'Ring 113'), ctx),
			(p, ctx) => putContactGuidance(p, red, input(p, 'Ring legevakt 116 117'), ctx)
		);
		const conflict = only(planConflicts(doc));
		expect(conflict).toMatchObject({ path: `contactGuidance/${red}`, field: 'entry' });
		expect(conflict.versions.map((v) => [v.by?.name, conflict.field === 'entry' && (v.value as { action: string }).action])).toEqual([
			[gp.by.name, 'Ring 113'],
			[nurse.by.name, 'Ring legevakt 116 117']
		]);
		const resolved = A.change(doc, (d) => resolveConflict(d, conflict, { choose: 0 }, nurse));
		expect(planConflicts(resolved)).toEqual([]);
		expect(resolved.contactGuidance[red]).toMatchObject({ action: 'Ring 113', by: nurse.by, at: nurse.at });
	});
});

describe('what still merges silently', () => {
	it('edits of different fields and items, and additions', () => {
		const [doc] = offline(
			(p, ctx) => {
				rewritePurpose(GP_TEXT)(p, ctx);
				editDrops({ title: 'Øyedråper morgen' })(p, ctx);
			},
			(p, ctx) => editDrops({ timing: { kind: 'daily', times: ['09:00'] }, description: 'Begge øyne' })(p, ctx)
		);
		expect(planConflicts(doc)).toEqual([]);
		expect(doc.goals[PURPOSE]!.text).toBe(GP_TEXT);
		expect(doc.measures[DROPS]).toMatchObject({ title: 'Øyedråper morgen', description: 'Begge øyne', timing: { kind: 'daily', times: ['09:00'] } });
	});

	it('two people setting the same value do not disagree', () => {
		const [doc] = offline(rewritePurpose(GP_TEXT), rewritePurpose(GP_TEXT));
		expect(planConflicts(doc)).toEqual([]);
	});
});

describe('plans made before edits were stamped', () => {
	it('keep loading and showing: a text edited in place reads as a string, with no conflict', () => {
		const { doc } = createPlanDocument(pal);
		const old = A.change(doc, (d) => A.updateText(d, ['goals', PURPOSE, 'text'], 'Forebygge videre synstap'));
		const reloaded = A.load<Plan>(A.save(old));
		expect(reloaded.goals[PURPOSE]!.text).toBe('Forebygge videre synstap');
		expect(reloaded.goals[PURPOSE]!.textStamp).toBeUndefined();
		expect(planConflicts(reloaded)).toEqual([]);
	});

	it('show a whole rewrite meeting an older app’s unstamped rewrite as two versions, the unstamped one without a name', () => {
		const [a, b] = tablets();
		const a2 = A.change(a, (d) => rewritePurpose(GP_TEXT)(d, gp));
		const b2 = A.change(b, (d) => {
			d.goals[PURPOSE]!.text = NURSE_TEXT;
		});
		const conflict = only(planConflicts(A.merge(a2, b2)));
		expect(conflict.versions).toContainEqual({ value: GP_TEXT, by: gp.by, at: gp.at });
		expect(conflict.versions).toContainEqual({ value: NURSE_TEXT, by: null, at: null });
	});

	it('a stored view listing conflicts as bare paths is not taken for a list of conflicts', () => {
		expect(isConflictList([`measures/${DROPS}/status`])).toBe(false);
		const [doc] = offline(rewritePurpose(GP_TEXT), rewritePurpose(NURSE_TEXT));
		expect(isConflictList(structuredClone(planConflicts(doc)))).toBe(true);
	});
});
