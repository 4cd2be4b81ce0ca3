import { describe, expect, it } from 'vitest';
import type { ItemId } from './ids';
import { parseDiagnosisInput, parseGoalInput, parseGuidanceInput, parseMeasureInput, parseText, type RawFields } from './inputs';
import { MAX_TEXT, MAX_TITLE, type FieldErrors, type Result } from './reasons';

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
			[{ title: 'x'.repeat(MAX_TITLE + 1) }, { title: 'too-long' }],
			[{ description: 'x'.repeat(MAX_TEXT + 1) }, { description: 'too-long' }],
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
			[{ pllReference: 'x'.repeat(MAX_TITLE + 1) }, { pllReference: 'too-long' }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseMeasureInput({ ...goodMeasure, ...change }, diagnoses)), JSON.stringify(change)).toEqual(errors);
		}
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

describe('parseGoalInput', () => {
	it('accepts a goal with a target date and a diagnosis', () => {
		expect(valueOf(parseGoalInput(goodGoal, diagnoses))).toEqual({ category: 'purpose', text: 'Hindre synstap', targetDate: '2027-06-01', addresses: [GLAUCOMA] });
	});

	it('accepts every category, no target date and no diagnosis', () => {
		for (const category of ['what-matters', 'purpose', 'treatment', 'self-treatment']) {
			const value = valueOf(parseGoalInput({ category, text: 'Se barnebarna', targetDate: '', addresses: undefined }, diagnoses));
			expect(value).toEqual({ category, text: 'Se barnebarna', targetDate: null, addresses: [] });
		}
	});

	it('refuses each bad field with its reason', () => {
		const cases: [RawFields, FieldErrors][] = [
			[{ category: 'wish' }, { category: 'invalid-choice' }],
			[{ category: undefined }, { category: 'invalid-choice' }],
			[{ text: ' ' }, { text: 'required' }],
			[{ text: 'x'.repeat(MAX_TEXT + 1) }, { text: 'too-long' }],
			[{ targetDate: '2027-02-29' }, { targetDate: 'invalid-date' }],
			[{ targetDate: 'next year' }, { targetDate: 'invalid-date' }],
			[{ addresses: NOT_IN_PLAN }, { addresses: 'unknown-item' }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseGoalInput({ ...goodGoal, ...change }, diagnoses)), JSON.stringify(change)).toEqual(errors);
		}
	});

	it('accepts text at exactly the limit', () => {
		expect(valueOf(parseGoalInput({ ...goodGoal, text: 'x'.repeat(MAX_TEXT) }, diagnoses)).text).toHaveLength(MAX_TEXT);
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
			[{ signs: 'x'.repeat(MAX_TEXT + 1) }, { signs: 'too-long' }],
			[{ action: '' }, { action: 'required' }],
			[{ contactName: '' }, { contactName: 'required' }],
			[{ contactName: 'x'.repeat(MAX_TITLE + 1) }, { contactName: 'too-long' }],
			[{ contactPhone: '' }, { contactPhone: 'required' }],
			[{ contactPhone: '1234' }, { contactPhone: 'invalid-phone' }],
			[{ contactPhone: '+46 701234567' }, { contactPhone: 'invalid-phone' }]
		];
		for (const [change, errors] of cases) {
			expect(errorsOf(parseGuidanceInput({ ...goodGuidance, ...change })), JSON.stringify(change)).toEqual(errors);
		}
	});
});

describe('parseDiagnosisInput', () => {
	it('accepts text with a coded diagnosis in each system', () => {
		for (const system of ['ICD-10', 'ICPC-2', 'SNOMED-CT'] as const) {
			expect(valueOf(parseDiagnosisInput({ text: 'Grønn stær', code: ' H40.1 ', system }))).toEqual({
				text: 'Grønn stær',
				code: { system, code: 'H40.1', display: null }
			});
		}
	});

	it('accepts text alone; a system without a code gives no code', () => {
		expect(valueOf(parseDiagnosisInput({ text: 'Demens' }))).toEqual({ text: 'Demens', code: null });
		expect(valueOf(parseDiagnosisInput({ text: 'Demens', system: 'ICD-10', code: '' }))).toEqual({ text: 'Demens', code: null });
	});

	it('refuses each bad field with its reason', () => {
		expect(errorsOf(parseDiagnosisInput({ text: '' }))).toEqual({ text: 'required' });
		expect(errorsOf(parseDiagnosisInput({ text: 'x'.repeat(MAX_TITLE + 1) }))).toEqual({ text: 'too-long' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1' }))).toEqual({ system: 'invalid-choice' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H40.1', system: 'ICD-11' }))).toEqual({ system: 'invalid-choice' });
		expect(errorsOf(parseDiagnosisInput({ text: 'Grønn stær', code: 'H'.repeat(21), system: 'ICD-10' }))).toEqual({ code: 'too-long' });
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
		expect(errorsOf(parseText({ comment: 'x'.repeat(MAX_TEXT + 1) }, 'comment'))).toEqual({ comment: 'too-long' });
		expect(errorsOf(parseText({ note: 'x'.repeat(11) }, 'note', 10))).toEqual({ note: 'too-long' });
		expect(valueOf(parseText({ note: 'x'.repeat(10) }, 'note', 10))).toBe('x'.repeat(10));
	});
});
