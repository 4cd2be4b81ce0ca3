import { describe, expect, it } from 'vitest';
import { clinicians, pal } from '../fixtures';
import type { ItemId } from './ids';
import type { Context, Plan } from './plan';
import { derivePlainPlan } from './plain-plan';
import { addMeasure, addWhatMatters, endCareTeamMembership, setGoalStatus, setMeasureStatus } from './plan-ops';

const nurse: Context = { by: { id: clinicians.ranaNurse.id, name: clinicians.ranaNurse.name, role: 'home-care', organisation: 'Rana kommune' }, at: '2026-11-30T08:00:00.000Z' };
const WALK = '00000000-0000-4000-8000-000000000001' as ItemId;
const ERROR = '00000000-0000-4000-8000-000000000002' as ItemId;

const copy = (): Plan => structuredClone(pal.plan) as Plan;

describe('derivePlainPlan', () => {
	it('gives Pål’s plan in force: his words, goals, diagnoses, what the service does, guidance green to red, the GP responsible', () => {
		const plain = derivePlainPlan(pal.plan);
		expect(plain.patient).toEqual(pal.patient);
		// Both were written in the same minute: their order is fixed (by id) but not meaningful.
		expect(plain.whatMatters.map((w) => w.text).sort()).toEqual(['Å bo hjemme så lenge jeg kan', 'Å se barnebarna mine']);
		expect(plain.goals.map((g) => g.text)).toEqual(['Forebygge synstap', 'Øyetrykk under 21 mmHg på begge øyne', 'Trygg hverdag hjemme med faste rutiner']);
		expect(plain.diagnoses.map((d) => d.text)).toEqual(['Grønn stær (glaukom)', 'Demens']);
		expect(plain.care.map((m) => m.title)).toEqual(['Øyedråper daglig', 'Årlig kontroll hos øyelege']);
		expect(plain.selfCare).toEqual([]);
		expect(plain.guidance.map((g) => g.level)).toEqual(['green', 'yellow', 'red']);
		expect(plain.responsible?.name).toBe(clinicians.bodoGp.name);
		expect(plain.team.map((m) => m.name)).toContain(clinicians.ranaNurse.name);
	});

	it('puts measures the patient does in the self-care part and leaves out what is no longer in force', () => {
		const plan = copy();
		addMeasure(plan, WALK, {
			title: 'Gå en tur',
			description: '',
			category: { kind: 'snomed', code: '229064008' },
			timing: { kind: 'daily', times: ['11:00'] },
			performer: { kind: 'patient' },
			addresses: [],
			pllReference: null
		}, nurse);
		setMeasureStatus(plan, pal.measures.annualEyeCheck, 'on-hold', nurse);
		setGoalStatus(plan, pal.goals.eyePressure, 'completed', nurse);
		addWhatMatters(plan, ERROR, 'Skrevet i feil plan', 'clinician-on-behalf', nurse);
		plan.whatMatters[ERROR]!.status = 'entered-in-error';

		const plain = derivePlainPlan(plan);
		expect(plain.selfCare.map((m) => m.title)).toEqual(['Gå en tur']);
		expect(plain.care.map((m) => m.title)).toEqual(['Øyedråper daglig']);
		expect(plain.goals.map((g) => g.text)).not.toContain('Øyetrykk under 21 mmHg på begge øyne');
		expect(plain.whatMatters.map((w) => w.text)).not.toContain('Skrevet i feil plan');
	});

	it('names nobody responsible once the responsible clinician has left the care team', () => {
		const plan = copy();
		endCareTeamMembership(plan, pal.careTeam.gp, nurse);
		const plain = derivePlainPlan(plan);
		expect(plain.responsible).toBeNull();
		expect(plain.team.map((m) => m.name)).not.toContain(clinicians.bodoGp.name);
	});
});
