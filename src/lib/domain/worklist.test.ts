import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { ItemId, Month, PatientId } from './ids';
import type { MeasureInput } from './inputs';
import { newMeasureLog, recordMeasure, type VisitRecord } from './measure-log';
import type { Context, LogEntry, MeasureLog, Patient, Performer, Plan, Timing } from './plan';
import { addCareTeamMember, addMeasure, newPlan, setMeasureStatus, setResponsible } from './plan-ops';
import { latestRecords, slotKey } from './slot-records';
import { dueOn, isClinicianMeasure, isSelfTreatmentMeasure, summarize, type PatientSummary } from './worklist';

const PATIENT = '0f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const pal: Patient = { name: 'Pål Testesen', birthDate: '1951-05-03', nationalId: '03855110058', municipality: 'Rana' };
const by = { id: 'gp-ola', name: 'Ola Fastlege', role: 'gp' as const, organisation: 'Bodø legesenter' };
const at = (day: number): Context => ({ by, at: `2026-11-${String(day).padStart(2, '0')}T09:00:00.000Z` });
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const [DROPS, WEIGH, SHOWER, CHECK, PAIN, PAUSED, WRONG, MEMBER] = [1, 2, 3, 4, 5, 6, 7, 8].map(id) as [ItemId, ItemId, ItemId, ItemId, ItemId, ItemId, ItemId, ItemId];

const homeCare: Performer = { kind: 'service', role: 'home-care', name: 'Hjemmesykepleien' };
const measure = (title: string, timing: Timing, performer: Performer = homeCare): MeasureInput => ({
	title,
	description: '',
	category: { kind: 'text', text: 'Stell' },
	timing,
	performer,
	addresses: [],
	pllReference: null
});

/** Pål's plan: every timing kind, plus two measures that are not active. */
function palPlan(): A.Doc<Plan> {
	return A.change(A.from(newPlan(PATIENT, pal, { form: 'written', givenBy: 'patient' }, at(1))), (d) => {
		addMeasure(d, DROPS, measure('Øyedråper', { kind: 'daily', times: ['20:00', '08:00'] }), at(2));
		addMeasure(d, WEIGH, measure('Vekt', { kind: 'weekly', weekdays: [4], times: ['10:00'] }), at(3));
		addMeasure(d, SHOWER, measure('Dusj', { kind: 'weekly', weekdays: [1, 4], times: [] }), at(4));
		addMeasure(d, CHECK, measure('Øyekontroll', { kind: 'yearly', nextDue: '2026-11-27' }), at(5));
		addMeasure(d, PAIN, measure('Smertestillende', { kind: 'as-needed' }, { kind: 'patient' }), at(6));
		addMeasure(d, PAUSED, measure('Gåtur', { kind: 'daily', times: ['12:00'] }, { kind: 'relative' }), at(7));
		addMeasure(d, WRONG, measure('Feil', { kind: 'daily', times: ['09:00'] }), at(8));
		setMeasureStatus(d, PAUSED, 'on-hold', at(9));
		setMeasureStatus(d, WRONG, 'entered-in-error', at(9));
	});
}

function log(month: string, records: [ItemId, ItemId, string, string | null][]): A.Doc<MeasureLog> {
	return A.change(A.from(newMeasureLog(PATIENT, month as Month)), (d) => {
		for (const [entryId, measureId, instant, slot] of records) {
			const record: VisitRecord = { outcome: 'done', measureId, at: instant, slot, note: '' };
			recordMeasure(d, entryId, record, { by, at: instant });
		}
	});
}

const slots = (items: ReturnType<typeof dueOn>) => items.map((i) => `${i.title} ${i.slot ?? '-'}${i.recorded ? ' ✓' : ''}`);

describe('summarize', () => {
	it('keeps the patient’s row and only active measures, in creation order', () => {
		const summary = summarize(palPlan(), []);
		expect(summary).toMatchObject({ patientId: PATIENT, name: 'Pål Testesen', birthDate: '1951-05-03', municipality: 'Rana', responsible: null, records: {} });
		expect(summary.measures.map((m) => m.id)).toEqual([DROPS, WEIGH, SHOWER, CHECK, PAIN]);
		expect(summary.measures[0]).toEqual({ id: DROPS, title: 'Øyedråper', timing: { kind: 'daily', times: ['20:00', '08:00'] }, performer: homeCare });
	});

	it('gives a plain value that IndexedDB can store', () => {
		const summary = summarize(palPlan(), [log('2026-11', [[id(20), DROPS, '2026-11-26T07:10:00.000Z', '08:00']])]);
		expect(structuredClone(summary)).toEqual(summary);
	});

	it('carries the privacy flags and the time of the latest stamped change', () => {
		expect(summarize(palPlan(), [])).toMatchObject({ consent: true, restricted: false, blocked: [], nationalId: pal.nationalId, lastChanged: at(9).at });
		const doc = A.change(palPlan(), (d) => addCareTeamMember(d, MEMBER, { name: 'Kari Koordinator', role: 'coordinator', organisation: 'Rana kommune' }, at(12)));
		expect(summarize(doc, []).lastChanged).toBe(at(12).at);
	});

	it('names the responsible care team member', () => {
		const doc = A.change(palPlan(), (d) => {
			addCareTeamMember(d, MEMBER, { name: 'Kari Koordinator', role: 'coordinator', organisation: 'Rana kommune' }, at(10));
			setResponsible(d, MEMBER, at(10));
		});
		expect(summarize(doc, []).responsible).toBe('Kari Koordinator');
	});

	it('keeps the latest record per measure and slot across months', () => {
		const october = log('2026-10', [[id(20), DROPS, '2026-10-31T07:00:00.000Z', '08:00']]);
		const november = log('2026-11', [
			[id(21), DROPS, '2026-11-26T07:10:00.000Z', '08:00'],
			[id(22), DROPS, '2026-11-25T07:05:00.000Z', '08:00'],
			[id(23), DROPS, '2026-11-25T19:00:00.000Z', '20:00'],
			[id(24), SHOWER, '2026-11-26T11:00:00.000Z', null],
			[id(25), SHOWER, '2026-11-23T11:00:00.000Z', null]
		]);
		const expected = { [`${DROPS}|08:00`]: '2026-11-26T07:10:00.000Z', [`${DROPS}|20:00`]: '2026-11-25T19:00:00.000Z', [`${SHOWER}|`]: '2026-11-26T11:00:00.000Z' };
		const times = (logs: MeasureLog[]) => Object.fromEntries(Object.entries(summarize(palPlan(), logs).records ?? {}).map(([k, r]) => [k, r.at]));
		expect(times([october, november])).toEqual(expected);
		expect(times([november, october])).toEqual(expected);
	});
});

describe('dueOn', () => {
	const plain = summarize(palPlan(), []);

	it('lists a Thursday’s slots in time order: both daily times, the weekly ones, untimed last', () => {
		expect(slots(dueOn(plain, '2026-11-26T06:00:00Z'))).toEqual(['Øyedråper 08:00', 'Vekt 10:00', 'Øyedråper 20:00', 'Dusj -']);
	});

	it('leaves weekly measures out on other weekdays and never lists as-needed ones', () => {
		expect(slots(dueOn(plain, '2026-11-25T12:00:00Z'))).toEqual(['Øyedråper 08:00', 'Øyedråper 20:00']);
		expect(slots(dueOn(plain, '2026-11-23T12:00:00Z'))).toEqual(['Øyedråper 08:00', 'Øyedråper 20:00', 'Dusj -']);
		expect(dueOn(plain, '2026-11-26T06:00:00Z').some((i) => i.measureId === PAIN)).toBe(false);
	});

	it('uses the Oslo day: 23:30 UTC on Thursday is already Friday, when the yearly check falls due', () => {
		expect(slots(dueOn(plain, '2026-11-26T23:30:00Z'))).toEqual(['Øyedråper 08:00', 'Øyedråper 20:00', 'Øyekontroll -']);
	});

	it('keeps a yearly measure due once overdue, and not due before its date', () => {
		expect(slots(dueOn(plain, '2026-12-15T12:00:00Z'))).toContain('Øyekontroll -');
		expect(slots(dueOn(plain, '2026-11-26T22:59:00Z'))).not.toContain('Øyekontroll -');
	});

	it('marks a slot recorded today, but not the other slot and not yesterday’s record', () => {
		const november = log('2026-11', [
			[id(30), DROPS, '2026-11-26T07:10:00.000Z', '08:00'],
			[id(31), DROPS, '2026-11-25T19:05:00.000Z', '20:00'],
			[id(32), SHOWER, '2026-11-26T11:00:00.000Z', null]
		]);
		const summary = summarize(palPlan(), [november]);
		expect(slots(dueOn(summary, '2026-11-26T12:00:00Z'))).toEqual(['Øyedråper 08:00 ✓', 'Vekt 10:00', 'Øyedråper 20:00', 'Dusj - ✓']);
		expect(slots(dueOn(summary, '2026-11-27T06:00:00Z'))).toEqual(['Øyedråper 08:00', 'Øyedråper 20:00', 'Øyekontroll -']);
	});

	it('counts a late-evening record for its Oslo day, not its UTC day', () => {
		const summary = summarize(palPlan(), [log('2026-11', [[id(33), DROPS, '2026-11-26T22:30:00.000Z', '20:00']])]);
		expect(dueOn(summary, '2026-11-26T22:45:00Z').find((i) => i.slot === '20:00')?.recorded).toBe(true);
		expect(dueOn(summary, '2026-11-26T23:30:00Z').find((i) => i.slot === '20:00')?.recorded).toBe(false);
	});

	it('marks the yearly check recorded once done on or after its due date, in Oslo time', () => {
		const early = summarize(palPlan(), [log('2026-11', [[id(34), CHECK, '2026-11-20T10:00:00.000Z', null]])]);
		expect(dueOn(early, '2026-11-27T10:00:00Z').find((i) => i.measureId === CHECK)?.recorded).toBe(false);
		const onTime = summarize(palPlan(), [log('2026-11', [[id(35), CHECK, '2026-11-27T10:00:00.000Z', null]])]);
		expect(dueOn(onTime, '2026-12-01T10:00:00Z').find((i) => i.measureId === CHECK)?.recorded).toBe(true);
		const justAfterMidnight = summarize(palPlan(), [log('2026-11', [[id(36), CHECK, '2026-11-26T23:30:00.000Z', null]])]);
		expect(dueOn(justAfterMidnight, '2026-11-27T10:00:00Z').find((i) => i.measureId === CHECK)?.recorded).toBe(true);
	});

	it('drops a measure from the worklist once it is put on hold', () => {
		const doc = A.change(palPlan(), (d) => setMeasureStatus(d, DROPS, 'on-hold', at(26)));
		expect(dueOn(summarize(doc, []), '2026-11-25T12:00:00Z')).toEqual([]);
	});

	it('is empty for a patient with no measures', () => {
		const empty: PatientSummary = { ...plain, measures: [], records: {} };
		expect(dueOn(empty, '2026-11-26T12:00:00Z')).toEqual([]);
	});
});

describe('measure kinds', () => {
	it('tells clinician measures from self-treatment ones', () => {
		expect(isClinicianMeasure({ performer: homeCare })).toBe(true);
		expect(isSelfTreatmentMeasure({ performer: homeCare })).toBe(false);
		for (const performer of [{ kind: 'patient' }, { kind: 'relative' }] as const) {
			expect(isClinicianMeasure({ performer })).toBe(false);
			expect(isSelfTreatmentMeasure({ performer })).toBe(true);
		}
	});
});

/** A log holding the given entries as another device wrote them (corrections included). */
function logOf(month: string, entries: Partial<LogEntry>[]): A.Doc<MeasureLog> {
	return A.change(A.from(newMeasureLog(PATIENT, month as Month)), (d) => {
		for (const e of entries) {
			const entry: LogEntry = { id: id(0), measureId: DROPS, at: '', slot: '08:00', outcome: 'done', note: '', reason: null, by, recordedAt: e.at ?? '', ...e };
			d.entries[entry.id] = entry;
		}
	});
}

const stateAt = (summary: PatientSummary, now: string, slot: string) => dueOn(summary, now).find((i) => i.measureId === DROPS && i.slot === slot)?.state;

describe('what the list tells of today’s slots', () => {
	const morning = '2026-11-26T07:40:00.000Z'; // 08:40 in Oslo

	it('tells a slot recorded as not done from one done, with the reason and the time', () => {
		const notDone = logOf('2026-11', [{ id: id(40), at: morning, outcome: 'not-done', reason: 'Pasienten sov' }]);
		const summary = summarize(palPlan(), [notDone]);
		expect(stateAt(summary, '2026-11-26T09:00:00Z', '08:00')).toEqual({ kind: 'not-done', at: morning, reason: 'Pasienten sov' });
		const done = summarize(palPlan(), [logOf('2026-11', [{ id: id(41), at: morning }])]);
		expect(stateAt(done, '2026-11-26T09:00:00Z', '08:00')).toEqual({ kind: 'done', at: morning });
	});

	it('shows what the latest record says, even when an earlier one said otherwise', () => {
		const logs = [logOf('2026-11', [{ id: id(42), at: morning }, { id: id(43), at: '2026-11-26T07:50:00.000Z', outcome: 'not-done', reason: 'Kastet opp' }])];
		expect(stateAt(summarize(palPlan(), logs), '2026-11-26T09:00:00Z', '08:00')).toMatchObject({ kind: 'not-done', reason: 'Kastet opp' });
	});

	it('leaves out a record another one corrects, even when the correction names an earlier time', () => {
		const original = { id: id(44), at: morning };
		const correction = { id: id(45), at: '2026-11-26T07:30:00.000Z', outcome: 'not-done' as const, reason: 'Ikke gitt: feil pasient', corrects: id(44) };
		const summary = summarize(palPlan(), [logOf('2026-11', [original, correction])]);
		expect(stateAt(summary, '2026-11-26T09:00:00Z', '08:00')).toEqual({ kind: 'not-done', at: correction.at, reason: 'Ikke gitt: feil pasient' });
	});

	it('merges logs one at a time as it merges them at once, a correction seen before or after its original', () => {
		const november = logOf('2026-11', [{ id: id(46), at: '2026-11-30T22:30:00.000Z', slot: '20:00' }]);
		const december = logOf('2026-12', [{ id: id(47), at: '2026-11-30T22:00:00.000Z', slot: '20:00', outcome: 'not-done', reason: 'Borte', corrects: id(46) }]);
		const atOnce = latestRecords({}, [november, december]);
		expect(latestRecords(latestRecords({}, [november]), [december])).toEqual(atOnce);
		expect(latestRecords(latestRecords({}, [december]), [november])).toEqual(atOnce);
		expect(atOnce[slotKey(DROPS, '20:00')]).toMatchObject({ id: id(47), outcome: 'not-done' });
	});

	it('leaves out a malformed entry from another device rather than trusting it', () => {
		const broken = logOf('2026-11', [{ id: id(48), at: morning, outcome: 'maybe' as 'done' }]);
		expect(stateAt(summarize(palPlan(), [broken]), '2026-11-26T07:45:00Z', '08:00')).toEqual({ kind: 'due' });
	});

	it('calls a timed slot overdue only once it is more than an hour past with no record', () => {
		const plain = summarize(palPlan(), []);
		expect(stateAt(plain, '2026-11-26T06:30:00Z', '08:00')).toEqual({ kind: 'due' }); // 07:30 Oslo
		expect(stateAt(plain, '2026-11-26T08:00:00Z', '08:00')).toEqual({ kind: 'due' }); // 09:00, an hour late
		expect(stateAt(plain, '2026-11-26T08:01:00Z', '08:00')).toEqual({ kind: 'overdue' }); // 09:01
		expect(stateAt(plain, '2026-11-26T08:01:00Z', '20:00')).toEqual({ kind: 'due' });
	});

	it('calls an untimed slot due all day, and a yearly one overdue once its date has passed', () => {
		const plain = summarize(palPlan(), []);
		expect(dueOn(plain, '2026-11-26T22:00:00Z').find((i) => i.measureId === SHOWER)?.state).toEqual({ kind: 'due' });
		expect(dueOn(plain, '2026-11-27T12:00:00Z').find((i) => i.measureId === CHECK)?.state).toEqual({ kind: 'due' });
		expect(dueOn(plain, '2026-11-28T12:00:00Z').find((i) => i.measureId === CHECK)?.state).toEqual({ kind: 'overdue' });
	});

	it('says unknown, never done or due, for a summary stored before outcomes were kept', () => {
		const { records: _records, ...old } = summarize(palPlan(), [logOf('2026-11', [{ id: id(49), at: morning, outcome: 'not-done', reason: 'Sov' }])]);
		const states = dueOn(old, '2026-11-26T12:00:00Z').map((i) => [i.state.kind, i.recorded]);
		expect(states).toEqual(states.map(() => ['unknown', false]));
	});
});
