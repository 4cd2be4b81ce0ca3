import { describe, expect, it } from 'vitest';
import { ageOn, isCalendarDate, isClockTime, osloMonth, osloParts } from './time';

describe('osloParts', () => {
	it('gives Oslo winter time (UTC+1)', () => {
		expect(osloParts('2026-01-15T07:10:00Z')).toEqual({ date: '2026-01-15', time: '08:10', weekday: 4 });
	});

	it('gives Oslo summer time (UTC+2)', () => {
		expect(osloParts('2026-07-01T06:10:00Z')).toEqual({ date: '2026-07-01', time: '08:10', weekday: 3 });
	});

	it('already counts the next day before midnight UTC', () => {
		expect(osloParts('2026-11-26T23:30:00Z')).toEqual({ date: '2026-11-27', time: '00:30', weekday: 5 });
		expect(osloParts('2026-11-26T22:59:00Z')).toEqual({ date: '2026-11-26', time: '23:59', weekday: 4 });
	});

	it('springs forward on 2026-03-29 at 02:00 local', () => {
		expect(osloParts('2026-03-29T00:59:00Z').time).toBe('01:59');
		expect(osloParts('2026-03-29T01:00:00Z').time).toBe('03:00');
		expect(osloParts('2026-03-29T01:00:00Z').date).toBe('2026-03-29');
		expect(osloParts('2026-03-29T01:00:00Z').weekday).toBe(7);
		expect(osloParts('2026-03-28T23:00:00Z').date).toBe('2026-03-29');
		expect(osloParts('2026-03-29T22:00:00Z')).toEqual({ date: '2026-03-30', time: '00:00', weekday: 1 });
	});

	it('falls back on 2026-10-25: 02:30 happens twice', () => {
		expect(osloParts('2026-10-25T00:30:00Z').time).toBe('02:30');
		expect(osloParts('2026-10-25T01:30:00Z').time).toBe('02:30');
		expect(osloParts('2026-10-24T22:30:00Z').date).toBe('2026-10-25');
		expect(osloParts('2026-10-25T22:30:00Z').date).toBe('2026-10-25');
		expect(osloParts('2026-10-25T23:30:00Z')).toEqual({ date: '2026-10-26', time: '00:30', weekday: 1 });
	});

	it('accepts a Date and an instant with an offset', () => {
		expect(osloParts(new Date(Date.UTC(2026, 10, 26, 7, 10)))).toEqual({ date: '2026-11-26', time: '08:10', weekday: 4 });
		expect(osloParts('2026-11-26T08:10:00+01:00').time).toBe('08:10');
	});
});

describe('osloMonth', () => {
	it('is the Oslo month, which may be ahead of UTC at a month end', () => {
		expect(osloMonth('2026-11-30T22:59:00Z')).toBe('2026-11');
		expect(osloMonth('2026-11-30T23:00:00Z')).toBe('2026-12');
		expect(osloMonth('2026-12-31T23:30:00Z')).toBe('2027-01');
	});
});

describe('isClockTime', () => {
	it('accepts HH:MM on a 24-hour clock', () => {
		for (const t of ['00:00', '08:10', '12:59', '23:59']) expect(isClockTime(t), t).toBe(true);
	});

	it('refuses other forms', () => {
		for (const t of ['24:00', '8:10', '08:60', '0810', '08.10', '08:10:00', '', ' 08:10', 'ab:cd']) {
			expect(isClockTime(t), t).toBe(false);
		}
	});
});

describe('isCalendarDate', () => {
	it('accepts real dates, including 29 February in a leap year', () => {
		for (const d of ['2026-01-01', '2026-12-31', '2024-02-29', '2000-02-29', '1951-05-03']) expect(isCalendarDate(d), d).toBe(true);
	});

	it('refuses impossible dates and other forms', () => {
		for (const d of ['2026-02-30', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-1', '03.05.1951', '2026-01-01T00:00', '']) {
			expect(isCalendarDate(d), d).toBe(false);
		}
	});
});

describe('ageOn', () => {
	it('counts whole years, turning on the birthday', () => {
		expect(ageOn('1951-05-03', '2026-05-02')).toBe(74);
		expect(ageOn('1951-05-03', '2026-05-03')).toBe(75);
		expect(ageOn('1951-05-03', '2026-11-26')).toBe(75);
		expect(ageOn('1951-05-03', '2026-04-30')).toBe(74);
	});

	it('is zero in the first year and handles a 29 February birthday', () => {
		expect(ageOn('2026-01-10', '2026-12-31')).toBe(0);
		expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
		expect(ageOn('2000-02-29', '2026-03-01')).toBe(26);
	});
});
