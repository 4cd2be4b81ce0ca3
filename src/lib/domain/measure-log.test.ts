import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { ItemId, Month, PatientId } from './ids';
import { correctRecord, entriesForMeasure, logMonthOf, mayCorrect, newMeasureLog, recordHistories, recordMeasure, type Correction, type VisitRecord } from './measure-log';
import type { Context, MeasureLog } from './plan';

const PATIENT = '0f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const NOVEMBER = '2026-11' as Month;
const DECEMBER = '2026-12' as Month;
const nurse: Context = { by: { id: 'nurse-kari', name: 'Kari Sykepleier', role: 'home-care', organisation: 'Rana kommune' }, at: '2026-11-26T07:12:00.000Z' };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const DROPS = id(1);
const WALK = id(2);

const done = (at: string, slot: string | null = '08:00', measureId: ItemId = DROPS): VisitRecord => ({ outcome: 'done', measureId, at, slot, note: '' });

function logWith(month: Month, records: [ItemId, VisitRecord][]): A.Doc<MeasureLog> {
	return A.change(A.from(newMeasureLog(PATIENT, month)), (d) => {
		for (const [entryId, record] of records) recordMeasure(d, entryId, record, nurse);
	});
}

describe('newMeasureLog and logMonthOf', () => {
	it('starts an empty log for the patient and month', () => {
		expect(newMeasureLog(PATIENT, NOVEMBER)).toEqual({ schema: 1, patientId: PATIENT, month: NOVEMBER, entries: {} });
	});

	it('files a record by its Oslo month', () => {
		expect(logMonthOf('2026-11-30T22:59:00Z')).toBe('2026-11');
		expect(logMonthOf('2026-11-30T23:00:00Z')).toBe('2026-12');
		expect(logMonthOf('2026-12-01T00:00:00+01:00')).toBe('2026-12');
	});
});

describe('recordMeasure', () => {
	it('puts a done entry, stamped with who recorded it and when', () => {
		const log = logWith(NOVEMBER, [[id(10), { ...done('2026-11-26T07:10:00.000Z'), note: 'Gikk fint' }]]);
		expect(log.entries[id(10)]).toEqual({
			id: id(10),
			measureId: DROPS,
			at: '2026-11-26T07:10:00.000Z',
			slot: '08:00',
			outcome: 'done',
			note: 'Gikk fint',
			reason: null,
			by: nurse.by,
			recordedAt: nurse.at
		});
	});

	it('keeps the reason of a not-done entry', () => {
		const record: VisitRecord = { outcome: 'not-done', measureId: DROPS, at: '2026-11-26T19:00:00.000Z', slot: '20:00', note: '', reason: 'Pasienten sov' };
		const log = logWith(NOVEMBER, [[id(11), record]]);
		expect(log.entries[id(11)]).toMatchObject({ outcome: 'not-done', reason: 'Pasienten sov', slot: '20:00' });
	});

	it('accepts a record without a slot', () => {
		const log = logWith(NOVEMBER, [[id(12), done('2026-11-02T10:00:00.000Z', null, WALK)]]);
		expect(log.entries[id(12)]?.slot).toBeNull();
	});

	it('refuses a record outside the log’s Oslo month and leaves the log unchanged', () => {
		const log = logWith(NOVEMBER, []);
		expect(() => A.change(log, (d) => recordMeasure(d, id(13), done('2026-12-02T07:10:00.000Z'), nurse))).toThrow(/not in 2026-11/);
		expect(() => A.change(log, (d) => recordMeasure(d, id(13), done('2026-10-31T22:30:00.000Z'), nurse))).toThrow();
		expect(() => A.change(log, (d) => recordMeasure(d, id(13), done('2026-11-30T23:30:00.000Z'), nurse))).toThrow();
		expect(log.entries).toEqual({});
	});

	it('takes a record made just after midnight Oslo time into the next month’s log', () => {
		const log = logWith(DECEMBER, [[id(14), done('2026-11-30T23:30:00.000Z', null)]]);
		expect(Object.keys(log.entries)).toEqual([id(14)]);
	});

	it('keeps records made on two devices offline', () => {
		const base = logWith(NOVEMBER, []);
		const a = A.change(A.clone(base, { actor: 'aa'.repeat(16) }), (d) => recordMeasure(d, id(15), done('2026-11-26T07:10:00.000Z'), nurse));
		const b = A.change(A.clone(base, { actor: 'bb'.repeat(16) }), (d) => recordMeasure(d, id(16), done('2026-11-26T19:10:00.000Z', '20:00'), nurse));
		expect(Object.keys(A.merge(a, b).entries).sort()).toEqual([id(15), id(16)]);
	});
});

describe('entriesForMeasure', () => {
	const november = logWith(NOVEMBER, [
		[id(20), done('2026-11-24T07:05:00.000Z')],
		[id(21), done('2026-11-26T07:10:00.000Z')],
		[id(22), done('2026-11-25T07:00:00.000Z')],
		[id(23), done('2026-11-26T08:00:00.000Z', null, WALK)]
	]);
	const december = logWith(DECEMBER, [
		[id(24), done('2026-12-01T07:00:00.000Z')],
		[id(25), done('2026-11-30T23:30:00.000Z')]
	]);

	it('gives one measure’s entries across months, newest first', () => {
		const entries = entriesForMeasure([november, december], DROPS);
		expect(entries.map((e) => e.id)).toEqual([id(24), id(25), id(21), id(22), id(20)]);
		expect(entries.every((e) => e.measureId === DROPS)).toBe(true);
	});

	it('does not depend on the order of the logs', () => {
		expect(entriesForMeasure([december, november], DROPS)).toEqual(entriesForMeasure([november, december], DROPS));
	});

	it('limits to the newest entries', () => {
		expect(entriesForMeasure([november, december], DROPS, 2).map((e) => e.id)).toEqual([id(24), id(25)]);
		expect(entriesForMeasure([november, december], WALK).map((e) => e.id)).toEqual([id(23)]);
	});

	it('limits to ten by default', () => {
		const many = logWith(
			NOVEMBER,
			Array.from({ length: 12 }, (_, i): [ItemId, VisitRecord] => [id(100 + i), done(`2026-11-${String(i + 1).padStart(2, '0')}T07:00:00.000Z`)])
		);
		const entries = entriesForMeasure([many], DROPS);
		expect(entries).toHaveLength(10);
		expect(entries[0]?.id).toBe(id(111));
		expect(entries[9]?.id).toBe(id(102));
	});

	it('orders entries at the same instant the same way whatever the insertion order', () => {
		const at = '2026-11-26T07:10:00.000Z';
		const one = logWith(NOVEMBER, [[id(30), done(at)], [id(31), done(at)]]);
		const other = logWith(NOVEMBER, [[id(31), done(at)], [id(30), done(at)]]);
		expect(entriesForMeasure([one], DROPS).map((e) => e.id)).toEqual(entriesForMeasure([other], DROPS).map((e) => e.id));
	});

	it('is empty for a measure with no records or no logs', () => {
		expect(entriesForMeasure([november], id(99))).toEqual([]);
		expect(entriesForMeasure([], DROPS)).toEqual([]);
	});
});

describe('correctRecord, mayCorrect and recordHistories', () => {
	const later: Context = { by: nurse.by, at: '2026-11-26T09:30:00.000Z' };
	const gp: Context = { by: { id: 'gp-lund', name: 'Lege Lund', role: 'gp', organisation: 'Rana legesenter' }, at: '2026-11-26T09:40:00.000Z' };
	const otherKari: Context = { by: { ...nurse.by, id: 'nurse-kari-bodo', organisation: 'Bodø kommune' }, at: later.at };
	const notDone: Correction = { outcome: 'not-done', at: '2026-11-26T07:10:00.000Z', note: '', reason: 'Pasienten nektet', correctionReason: 'Feil knapp' };
	const recorded = () => logWith(NOVEMBER, [[id(40), { ...done('2026-11-26T07:10:00.000Z'), note: 'Gikk fint' }]]);
	const corrected = () => A.change(recorded(), (d) => correctRecord(d, id(41), id(40), notDone, later));

	it('adds a correcting entry and leaves the original as it was', () => {
		const before = recorded();
		const after = A.change(before, (d) => correctRecord(d, id(41), id(40), { ...notDone, correctionReason: '  Feil knapp ' }, later));
		expect(after.entries[id(40)]).toEqual(before.entries[id(40)]);
		expect(after.entries[id(41)]).toEqual({
			id: id(41),
			measureId: DROPS,
			at: '2026-11-26T07:10:00.000Z',
			slot: '08:00',
			outcome: 'not-done',
			note: '',
			reason: 'Pasienten nektet',
			by: nurse.by,
			recordedAt: later.at,
			corrects: id(40),
			correctionReason: 'Feil knapp'
		});
	});

	it('gives the record its corrected values, with the original and who corrected it, why and when', () => {
		const [record, ...rest] = recordHistories([corrected()], DROPS);
		expect(rest).toEqual([]);
		expect(record?.current).toMatchObject({ id: id(41), outcome: 'not-done', reason: 'Pasienten nektet' });
		expect(record?.corrected).toEqual([{ entry: expect.objectContaining({ id: id(40), outcome: 'done', note: 'Gikk fint' }), correctedBy: expect.objectContaining({ correctionReason: 'Feil knapp', by: nurse.by, recordedAt: later.at }) }]);
	});

	it('follows a correction of a correction back to the first record', () => {
		const twice = A.change(corrected(), (d) => correctRecord(d, id(42), id(41), { ...notDone, reason: 'Pasienten sov', correctionReason: 'Feil årsak' }, later));
		const [record] = recordHistories([twice], DROPS);
		expect(record?.current.id).toBe(id(42));
		expect(record?.corrected.map((c) => [c.entry.id, c.correctedBy.id])).toEqual([[id(41), id(42)], [id(40), id(41)]]);
	});

	it('lets only the author correct, once, and not a record of another log', () => {
		const log = corrected();
		expect(mayCorrect(recorded(), recorded().entries[id(40)]!, nurse.by)).toBe(true);
		expect(mayCorrect(recorded(), recorded().entries[id(40)]!, gp.by)).toBe(false);
		expect(mayCorrect(recorded(), recorded().entries[id(40)]!, otherKari.by)).toBe(false);
		expect(mayCorrect(recorded(), recorded().entries[id(40)]!, null)).toBe(false);
		expect(mayCorrect(log, log.entries[id(40)]!, nurse.by)).toBe(false);
		expect(mayCorrect(log, log.entries[id(41)]!, nurse.by)).toBe(true);
		expect(mayCorrect(logWith(DECEMBER, []), log.entries[id(41)]!, nurse.by)).toBe(false);
	});

	it('refuses a correction by another person, a second one, one without a reason, or one outside the month, changing nothing', () => {
		const log = recorded();
		const refused = (fix: Correction, ctx: Context, original = id(40), on = log) => expect(() => A.change(on, (d) => correctRecord(d, id(49), original, fix, ctx))).toThrow();
		refused(notDone, gp);
		refused(notDone, otherKari);
		refused(notDone, later, id(40), corrected());
		refused(notDone, later, id(99));
		refused({ ...notDone, correctionReason: '  ' }, later);
		refused({ ...notDone, reason: ' ' }, later);
		refused({ ...notDone, at: '2026-12-01T07:10:00.000Z' }, later);
		expect(Object.keys(log.entries)).toEqual([id(40)]);
	});

	it('keeps both corrections made of one record on two devices offline, each with the original', () => {
		const base = recorded();
		const a = A.change(A.clone(base, { actor: 'aa'.repeat(16) }), (d) => correctRecord(d, id(43), id(40), notDone, later));
		const b = A.change(A.clone(base, { actor: 'bb'.repeat(16) }), (d) => correctRecord(d, id(44), id(40), { ...notDone, reason: 'Sov' }, later));
		const records = recordHistories([A.merge(a, b)], DROPS);
		expect(records.map((r) => [r.current.id, r.corrected.map((c) => c.entry.id)])).toEqual([[id(44), [id(40)]], [id(43), [id(40)]]]);
	});

	it('reads logs stored before corrections existed as records without history', () => {
		expect(recordHistories([recorded()], DROPS).map((r) => [r.current.id, r.corrected])).toEqual([[id(40), []]]);
	});
});
