import { describe, expect, it } from 'vitest';
import type { ItemId } from './ids';
import { parseDiagnosisInput, parseGoalInput, parseGuidanceInput, parseMeasureInput, parseText, type RawFields } from './inputs';
import type { Diagnosis } from './plan';
import { MAX_CODE, MAX_TEXT, MAX_TITLE, tooLong, type FieldErrors, type Result } from './reasons';
import { LIMITS } from './schema';

const GLAUCOMA = '00000000-0000-4000-8000-000000000001' as ItemId;
const DEMENTIA = '00000000-0000-4000-8000-000000000002' as ItemId;
const NOT_IN_PLAN = '00000000-0000-4000-8000-000000000099';
const diagnoses: ReadonlySet<string> = new Set([GLAUCOMA, DEMENTIA]);

function errorsOf<T>(result: Result<T>): FieldErrors {
	if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
	return result.errors;
}

function valueOf<T>(result: Result<T>): T {
	if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
	return result.value;
}

const goodMeasure: RawFields = {
	title: '  Øyedråper daglig ',
	description: 'Se PLL',
	category: '182832007',
	timing: 'daily',
	times: '08:00, 20:00',
	performer: 'home-care',
	performerName: 'Hjemmesykepleien',
	addresses: GLAUCOMA,
	pllReference: 'Xalatan'
};

describe('parseMeasureInput', () => {
	it('accepts a daily clinician measure, trimmed', () => {
		expect(valueOf(parseMeasureInput(goodMeasure, diagnoses))).toEqual({
			title: 'Øyedråper daglig',
			description: 'Se PLL',
			category: { kind: 'snomed', code: '182832007' },
			timing: { kind: 'daily', times: ['08:00', '20:00'] },
			performer: { kind: 'service', role: 'home-care', name: 'Hjemmesykepleien' },
			addresses: [GLAUCOMA],
			pllReference: 'Xalatan'
		});
	});

	it('accepts repeated form fields as arrays, several diagnoses, and no description or PLL', () => {
		const raw: RawFields = { ...goodMeasure, title: ['Øyedråper', 'ignored'], times: ['08:00'], addresses: [GLAUCOMA, DEMENTIA], description: undefined, pllReference: '' };
		const value = valueOf(parseMeasureInput(raw, diagnoses));
		expect(value).toMatchObject({ title: 'Øyedråper', description: '', timing: { kind: 'daily', times: ['08:00'] }, addresses: [GLAUCOMA, DEMENTIA], pllReference: null });
	});

	it('accepts a free-text category and a self-treatment performer', () => {
		const value = valueOf(parseMeasureInput({ ...goodMeasure, category: 'text', categoryText: 'Øyestell', performer: 'patient', performerName: undefined }, diagnoses));
		expect(value.category).toEqual({ kind: 'text', text: 'Øyestell' });
		expect(value.performer).toEqual({ kind: 'patient' });
		expect(valueOf(parseMeasureInput({ ...goodMeasure, performer: 'relative' }, diagnoses)).performer).toEqual({ kind: 'relative' });
	});

	it('accepts weekly, yearly and as-needed timings, with no addresses', () => {
		const weekly = valueOf(parseMeasureInput({ ...goodMeasure, timing: 'weekly', weekdays: ['1', '4'], times: '' }, diagnoses));
		expect(weekly.timing).toEqual({ kind: 'weekly', weekdays: [1, 4], times: [] });
		const yearly = valueOf(parseMeasureInput({ ...goodMeasure, timing: 'yearly', nextDue: '2027-03-01', times: undefined }, diagnoses));
		expect(yearly.timing).toEqual({ kind: 'yearly', nextDue: '2027-03-01' });
		const asNeeded = valueOf(parseMeasureInput({ ...goodMeasure, timing: 'as-needed', times: undefined, addresses: undefined }, diagnoses));
		expect(asNeeded.timing).toEqual({ kind: 'as-needed' });
		expect(asNeeded.addresses).toEqual([]);
	});

	it('refuses each bad field with its reason', () => {
		const cases: [RawFields, FieldErrors][] = [
			[{ title: '' }, { title: 'required' }],
			[{ title: '   ' }, { title: 'required' }],
			[{ title: undefined }, { title: 'required' }],
			[{ title: 'x'.repeat(MAX_TITLE + 1) }, { title: tooLong(MAX_TITLE) }],
			[{ description: 'x'.repeat(MAX_TEXT + 1) }, { description: tooLong(MAX_TEXT) }],
			[{ category: '12345' }, { category: 'invalid-choice' }],
			[{ category: undefined }, { category: 'invalid-choice' }],
			[{ category: 'text' }, { categoryText: 'required' }],
			[{ timing: 'hourly' }, { timing: 'invalid-choice' }],
			[{ timing: undefined }, { timing: 'invalid-choice' }],
			[{ times: undefined }, { times: 'required' }],
			[{ times: '8:00' }, { times: 'invalid-time' }],
			[{ times: '08:00, 24:00' }, { times: 'invalid-time' }],
			[{ timing: 'weekly', times: '' }, { weekdays: 'no-weekdays' }],
			[{ timing: 'weekly', weekdays: '0' }, { weekdays: 'invalid-choice' }],
			[{ timing: 'weekly', weekdays: '1,8' }, { weekdays: 'invalid-choice' }],
			[{ timing: 'weekly', weekdays: 'mon' }, { weekdays: 'invalid-choice' }],
			[{ timing: 'weekly', weekdays: '2', times: '07:5' }, { times: 'invalid-time' }],
			[{ timing: 'yearly', times: undefined }, { nextDue: 'required' }],
			[{ timing: 'yearly', times: undefined, nextDue: '2026-02-30' }, { nextDue: 'invalid-date' }],
			[{ timing: 'yearly', times: undefined, nextDue: '01.03.2027' }, { nextDue: 'invalid-date' }],
			[{ performer: 'boss' }, { performer: 'invalid-choice' }],
			[{ performer: undefined }, { performer: 'invalid-choice' }],
			[{ performer: 'gp', performerName: '' }, { performerName: 'required' }],
			[{ addresses: NOT_IN_PLAN }, { addresses: 'unknown-item' }],
			[{ addresses: [GLAUCOMA, NOT_IN_PLAN] }, { addresses: 'unknown-item' }],
			[{ addresses: 'glaucoma' }, { addresses: 'unknown-item' }],
			[{ pllReference: 'x'.repeat(MAX_TITLE + 1) }, { pllReference: tooLong(MAX_TITLE) }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseMeasureInput({ ...goodMeasure, ...change }, diagnoses)), JSON.stringify(change)).toEqual(errors);
		}
	});

	it('refuses what its own checks let through but the register would not take: more times a day than the schema allows', () => {
		const times = Array.from({ length: LIMITS.times + 1 }, (_, i) => `${String(Math.floor(i / 3)).padStart(2, '0')}:${String((i % 3) * 20).padStart(2, '0')}`);
		expect(errorsOf(parseMeasureInput({ ...goodMeasure, times }, diagnoses))).toEqual({ times: 'invalid-choice' });
		expect(valueOf(parseMeasureInput({ ...goodMeasure, times: times.slice(1) }, diagnoses)).timing).toMatchObject({ times: times.slice(1) });
	});

	it('reports every bad field at once', () => {
		const errors = errorsOf(parseMeasureInput({ timing: 'weekly', performer: 'x' }, diagnoses));
		expect(errors).toEqual({ title: 'required', category: 'invalid-choice', weekdays: 'no-weekdays', performer: 'invalid-choice' });
	});

	it('refuses any diagnosis when the plan has none', () => {
		expect(errorsOf(parseMeasureInput(goodMeasure, new Set()))).toEqual({ addresses: 'unknown-item' });
	});
});

const goodGoal: RawFields = { category: 'purpose', text: 'Hindre synstap', targetDate: '2027-06-01', addresses: GLAUCOMA };
const dates = { today: '2026-12-01', saved: null };

describe('parseGoalInput', () => {
	it('accepts a goal with a target date and a diagnosis', () => {
		expect(valueOf(parseGoalInput(goodGoal, diagnoses, dates))).toEqual({ category: 'purpose', text: 'Hindre synstap', targetDate: '2027-06-01', addresses: [GLAUCOMA] });
	});

	it('accepts every category, no target date and no diagnosis', () => {
		for (const category of ['what-matters', 'purpose', 'treatment', 'self-treatment']) {
			const value = valueOf(parseGoalInput({ category, text: 'Se barnebarna', targetDate: '', addresses: undefined }, diagnoses, dates));
			expect(value).toEqual({ category, text: 'Se barnebarna', targetDate: null, addresses: [] });
		}
	});

	it('refuses each bad field with its reason', () => {
		const cases: [RawFields, FieldErrors][] = [
			[{ category: 'wish' }, { category: 'invalid-choice' }],
			[{ category: undefined }, { category: 'invalid-choice' }],
			[{ text: ' ' }, { text: 'required' }],
			[{ text: 'x'.repeat(MAX_TEXT + 1) }, { text: tooLong(MAX_TEXT) }],
			[{ targetDate: '2027-02-29' }, { targetDate: 'invalid-date' }],
			[{ targetDate: 'next year' }, { targetDate: 'invalid-date' }],
			[{ addresses: NOT_IN_PLAN }, { addresses: 'unknown-item' }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseGoalInput({ ...goodGoal, ...change }, diagnoses, dates)), JSON.stringify(change)).toEqual(errors);
		}
	});

	it('accepts text at exactly the limit', () => {
		expect(valueOf(parseGoalInput({ ...goodGoal, text: 'x'.repeat(MAX_TEXT) }, diagnoses, dates)).text).toHaveLength(MAX_TEXT);
	});
});

const goodGuidance: RawFields = {
	level: 'yellow',
	signs: ' Synet virker dårligere ',
	action: 'Ring samme dag',
	contactName: 'Bodø legesenter',
	contactPhone: '+47 75 12 34 56'
};

describe('parseGuidanceInput', () => {
	it('accepts a level with signs, what to do and whom to call, the phone number in its plain form', () => {
		expect(valueOf(parseGuidanceInput(goodGuidance))).toEqual({
			level: 'yellow',
			signs: 'Synet virker dårligere',
			action: 'Ring samme dag',
			contact: { name: 'Bodø legesenter', phone: '75123456' }
		});
	});

	it('accepts 113 for an emergency', () => {
		expect(valueOf(parseGuidanceInput({ ...goodGuidance, level: 'red', contactName: 'AMK', contactPhone: '113' })).contact).toEqual({ name: 'AMK', phone: '113' });
	});

	it('refuses each bad field with its reason', () => {
		const cases: [RawFields, FieldErrors][] = [
			[{ level: 'blue' }, { level: 'invalid-choice' }],
			[{ level: undefined }, { level: 'invalid-choice' }],
			[{ signs: ' ' }, { signs: 'required' }],
			[{ signs: 'x'.repeat(MAX_TEXT + 1) }, { signs: tooLong(MAX_TEXT) }],
			[{ action: '' }, { action: 'required' }],
			[{ contactName: '' }, { contactName: 'required' }],
			[{ contactName: 'x'.repeat(MAX_TITLE + 1) }, { contactName: tooLong(MAX_TITLE) }],
			[{ contactPhone: '' }, { contactPhone: 'required' }],
			[{ contactPhone: '1234' }, { contactPhone: 'invalid-phone' }],
			[{ contactPhone: '+46 701234567' }, { contactPhone: 'invalid-phone' }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseGuidanceInput({ ...goodGuidance, ...change })), JSON.stringify(change)).toEqual(errors);
		}
	});
});
const person = { name: 'Kari Lege', role: 'gp', organisation: 'Legekontoret' } as const;
const diagnosis = (id: ItemId, text: string, code: Diagnosis['code'], status: Diagnosis['status'] = 'active'): Diagnosis => ({ id, text, code, status, createdBy: person, createdAt: '2026-02-16T09:30:00.000Z' });
const inPlan: Diagnosis[] = [
	diagnosis(GLAUCOMA, 'Grønn stær (glaukom)', { system: 'ICD-10', code: 'H40.1', display: null }),
	diagnosis(DEMENTIA, 'Demens', null),
	diagnosis('00000000-0000-4000-8000-000000000003' as ItemId, 'Hjertesvikt', { system: 'ICD-10', code: 'I50.0', display: null }, 'entered-in-error'),
	diagnosis('00000000-0000-4000-8000-000000000004' as ItemId, 'Fall', null, 'resolved')
];

describe('parseDiagnosisInput', () => {
	it('accepts text with a well-formed code in each system, normalized', () => {
		const cases = [
			['ICD-10', ' h40.1 ', 'H40.1'],
			['ICPC-2', 'f93', 'F93'],
			['SNOMED-CT', '23986001', '23986001']
		] as const;
		for (const [system, typed, stored] of cases) {
			expect(valueOf(parseDiagnosisInput({ text: 'Grønn stær', code: typed, system }))).toEqual({ text: 'Grønn stær', code: { system, code: stored, display: null } });
		}
	});

	it('accepts text alone; a system without a code gives no code', () => {
		expect(valueOf(parseDiagnosisInput({ text: 'Demens' }))).toEqual({ text: 'Demens', code: null });
		expect(valueOf(parseDiagnosisInput({ text: 'Demens', system: 'ICD-10', code: '' }))).toEqual({ text: 'Demens', code: null });
	});

	it('refuses each bad field with its reason', () => {
		expect(errorsOf(parseDiagnosisInput({ text: '' }))).toEqual({ text: 'required' });
		expect(errorsOf(parseDiagnosisInput({ text: 'x'.repeat(MAX_TITLE + 1) }))).toEqual({ text: tooLong(MAX_TITLE) });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1' }))).toEqual({ system: 'invalid-choice' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1', system: 'ICD-11' }))).toEqual({ system: 'invalid-choice' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H'.repeat(21), system: 'ICD-10' }))).toEqual({ code: tooLong(MAX_CODE) });
	});

	it('refuses a code that does not fit its system', () => {
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H401', system: 'ICD-10' }))).toEqual({ code: 'icd10-format' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1', system: 'ICPC-2' }))).toEqual({ code: 'icpc2-format' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'C01', system: 'ICPC-2' }))).toEqual({ code: 'icpc2-format' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1', system: 'SNOMED-CT' }))).toEqual({ code: 'snomed-format' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: '23986002', system: 'SNOMED-CT' }))).toEqual({ code: 'snomed-check-digit' });
	});

	it('refuses the same coded diagnosis twice among the active ones, however it is typed', () => {
		expect(errorsOf(parseDiagnosisInput({ text: 'Glaukom', code: 'h40.1', system: 'ICD-10' }, inPlan))).toEqual({ code: 'duplicate-code' });
		// The same code string in another system is another diagnosis.
		expect(valueOf(parseDiagnosisInput({ text: 'Glaukom', code: '23986001', system: 'SNOMED-CT' }, inPlan)).code?.code).toBe('23986001');
		// Ended or mistaken diagnoses do not count.
		expect(valueOf(parseDiagnosisInput({ text: 'Hjertesvikt', code: 'I50.0', system: 'ICD-10' }, inPlan)).text).toBe('Hjertesvikt');
	});

	it('refuses the same text twice when one of the two has no code', () => {
		expect(errorsOf(parseDiagnosisInput({ text: '  demens ' }, inPlan))).toEqual({ text: 'duplicate-text' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Demens', code: 'F03', system: 'ICD-10' }, inPlan))).toEqual({ text: 'duplicate-text' });
		expect(errorsOf(parseDiagnosisInput({ text: 'grønn  stær (glaukom)' }, inPlan))).toEqual({ text: 'duplicate-text' });
		expect(valueOf(parseDiagnosisInput({ text: 'Fall' }, inPlan)).text).toBe('Fall');
		// Two coded diagnoses may share a name when their codes differ.
		expect(valueOf(parseDiagnosisInput({ text: 'Grønn stær (glaukom)', code: 'H40.2', system: 'ICD-10' }, inPlan)).code?.code).toBe('H40.2');
	});

	it('compares with the others only: a diagnosis being edited does not duplicate itself', () => {
		const others = inPlan.filter((d) => d.id !== GLAUCOMA);
		expect(valueOf(parseDiagnosisInput({ text: 'Grønn stær (glaukom)', code: 'H40.1', system: 'ICD-10' }, others)).code?.code).toBe('H40.1');
	});
});

describe('parseGoalInput: a target date in the past', () => {
	const today = { today: '2026-12-01', saved: null };

	it('asks for confirmation of a date before today', () => {
		expect(errorsOf(parseGoalInput({ ...goodGoal, targetDate: '2026-11-30' }, diagnoses, today))).toEqual({ targetDate: 'target-date-past' });
	});

	it('takes it once that same date is confirmed, not another', () => {
		expect(valueOf(parseGoalInput({ ...goodGoal, targetDate: '2026-11-30', confirmPastDate: '2026-11-30' }, diagnoses, today)).targetDate).toBe('2026-11-30');
		expect(errorsOf(parseGoalInput({ ...goodGoal, targetDate: '2026-06-01', confirmPastDate: '2026-11-30' }, diagnoses, today))).toEqual({ targetDate: 'target-date-past' });
	});

	it('takes today, a later date, and a past date the goal already had, without asking', () => {
		expect(valueOf(parseGoalInput({ ...goodGoal, targetDate: '2026-12-01' }, diagnoses, today)).targetDate).toBe('2026-12-01');
		expect(valueOf(parseGoalInput({ ...goodGoal, targetDate: '2027-01-01' }, diagnoses, today)).targetDate).toBe('2027-01-01');
		expect(valueOf(parseGoalInput({ ...goodGoal, targetDate: '2026-03-01' }, diagnoses, { today: '2026-12-01', saved: '2026-03-01' })).targetDate).toBe('2026-03-01');
	});
});

describe('parseText', () => {
	it('accepts trimmed text within the limit', () => {
		expect(valueOf(parseText({ comment: '  Synet virker verre  ' }, 'comment'))).toBe('Synet virker verre');
		expect(valueOf(parseText({ comment: 'x'.repeat(MAX_TEXT) }, 'comment'))).toHaveLength(MAX_TEXT);
	});

	it('refuses missing, blank and too long text under the field’s own key', () => {
		expect(errorsOf(parseText({}, 'comment'))).toEqual({ comment: 'required' });
		expect(errorsOf(parseText({ comment: '\n\t ' }, 'comment'))).toEqual({ comment: 'required' });
		expect(errorsOf(parseText({ comment: 'x'.repeat(MAX_TEXT + 1) }, 'comment'))).toEqual({ comment: tooLong(MAX_TEXT) });
		expect(errorsOf(parseText({ note: 'x'.repeat(11) }, 'note', 10))).toEqual({ note: tooLong(10) });
		expect(valueOf(parseText({ note: 'x'.repeat(10) }, 'note', 10))).toBe('x'.repeat(10));
	});
});
