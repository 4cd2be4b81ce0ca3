import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { genesis } from './genesis';
import { logDocId, planDocId, type ItemId, type Month, type PatientId } from './ids';
import { newMeasureLog, recordMeasure, type VisitRecord } from './measure-log';
import type { Context, MeasureLog } from './plan';

const PATIENT = '0f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const OTHER = '1f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const NOVEMBER = '2026-11' as Month;
const DECEMBER = '2026-12' as Month;
const nurse: Context = { by: { id: 'nurse-kari', name: 'Kari Sykepleier', role: 'home-care', organisation: 'Rana kommune' }, at: '2026-11-26T07:12:00.000Z' };
const relief: Context = { by: { id: 'nurse-per', name: 'Per Vikar', role: 'home-care', organisation: 'Rana kommune' }, at: '2026-11-26T19:05:00.000Z' };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const DROPS = id(1);
const record = (at: string, slot: string): VisitRecord => ({ outcome: 'done', measureId: DROPS, at, slot, note: '' });

const novemberLog = () => genesis<MeasureLog>(logDocId(PATIENT, NOVEMBER), newMeasureLog(PATIENT, NOVEMBER));

describe('genesis', () => {
	it('gives the initial value', () => {
		expect(novemberLog()).toEqual(newMeasureLog(PATIENT, NOVEMBER));
	});

	it('gives identical heads and bytes from two independent calls', () => {
		const a = novemberLog();
		const b = novemberLog();
		expect(A.getHeads(a)).toEqual(A.getHeads(b));
		expect(A.save(a)).toEqual(A.save(b));
	});

	it('gives different first changes for different documents', () => {
		const heads = A.getHeads(novemberLog());
		expect(A.getHeads(genesis<MeasureLog>(logDocId(PATIENT, DECEMBER), newMeasureLog(PATIENT, DECEMBER)))).not.toEqual(heads);
		expect(A.getHeads(genesis<MeasureLog>(logDocId(OTHER, NOVEMBER), newMeasureLog(OTHER, NOVEMBER)))).not.toEqual(heads);
		expect(A.getHeads(genesis(planDocId(PATIENT), { note: '' }))).not.toEqual(A.getHeads(genesis(planDocId(OTHER), { note: '' })));
	});

	it('hands each caller its own fresh actor for later edits', () => {
		const a = novemberLog();
		const b = novemberLog();
		expect(A.getActorId(a)).not.toBe(A.getActorId(b));
	});

	it('lets two devices create the same log offline and merge both entries without a root conflict', () => {
		const tablet = A.change(novemberLog(), (d) => recordMeasure(d, id(10), record('2026-11-26T07:10:00.000Z', '08:00'), nurse));
		const phone = A.change(novemberLog(), (d) => recordMeasure(d, id(11), record('2026-11-26T19:00:00.000Z', '20:00'), relief));
		const merged = A.merge(tablet, phone);
		expect(merged.entries[id(10)]?.by.name).toBe('Kari Sykepleier');
		expect(merged.entries[id(11)]?.by.name).toBe('Per Vikar');
		expect(A.getConflicts(merged, 'entries')).toBeUndefined();
		expect(A.getConflicts(merged, 'month')).toBeUndefined();
		expect(A.getHistory(merged)).toHaveLength(3);
	});

	it('shows, by contrast, the conflict two plain A.from calls would create', () => {
		const a = A.change(A.from(newMeasureLog(PATIENT, NOVEMBER)), (d) => recordMeasure(d, id(10), record('2026-11-26T07:10:00.000Z', '08:00'), nurse));
		const b = A.change(A.from(newMeasureLog(PATIENT, NOVEMBER)), (d) => recordMeasure(d, id(11), record('2026-11-26T19:00:00.000Z', '20:00'), relief));
		const merged = A.merge(a, b);
		expect(A.getConflicts(merged, 'entries')).toBeDefined();
		expect(Object.keys(merged.entries)).toHaveLength(1);
	});

	it('syncs two devices’ logs through sync messages to the same state', () => {
		let tablet = A.change(novemberLog(), (d) => recordMeasure(d, id(10), record('2026-11-26T07:10:00.000Z', '08:00'), nurse));
		let phone = A.change(novemberLog(), (d) => recordMeasure(d, id(11), record('2026-11-26T19:00:00.000Z', '20:00'), relief));
		let s1 = A.initSyncState();
		let s2 = A.initSyncState();
		for (let round = 0; round < 10; round++) {
			const [n1, m1] = A.generateSyncMessage(tablet, s1);
			s1 = n1;
			if (m1) [phone, s2] = A.receiveSyncMessage(phone, s2, m1);
			const [n2, m2] = A.generateSyncMessage(phone, s2);
			s2 = n2;
			if (m2) [tablet, s1] = A.receiveSyncMessage(tablet, s1, m2);
			if (!m1 && !m2) break;
		}
		expect(A.getHeads(tablet).sort()).toEqual(A.getHeads(phone).sort());
		expect(Object.keys(tablet.entries).sort()).toEqual([id(10), id(11)]);
	});
});
