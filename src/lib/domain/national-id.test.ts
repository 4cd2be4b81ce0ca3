import { describe, expect, it } from 'vitest';
import { checkNationalId, isSyntheticNationalId, makeSyntheticNationalId, maskedNationalId, nationalIdCheckDigits, spacedNationalId } from './national-id';

/** Completes a six-digit date head with the first individual number whose check digits exist. */
function withCheckDigits(head: string): string {
	for (let individual = 100; individual < 1000; individual++) {
		const first9 = head + String(individual);
		const check = nationalIdCheckDigits(first9);
		if (check) return `${first9}${check[0]}${check[1]}`;
	}
	throw new Error(`no check digits for ${head}`);
}

describe('nationalIdCheckDigits', () => {
	it('agrees with published example numbers', () => {
		expect(nationalIdCheckDigits('150765005')).toEqual([6, 5]);
		expect(nationalIdCheckDigits('010107501')).toEqual([6, 0]);
	});

	it('returns null when the first check digit would be 10', () => {
		expect(nationalIdCheckDigits('038551102')).toBeNull();
	});
});

describe('checkNationalId', () => {
	it('accepts published valid numbers', () => {
		expect(checkNationalId('15076500565')).toBeNull();
		expect(checkNationalId('01010750160')).toBeNull();
	});

	it('refuses anything but eleven digits as a format problem', () => {
		for (const bad of ['', '0385511005', '038551100581', '03855110O58', '038551 10058', '038551-0058', ' 03855110058']) {
			expect(checkNationalId(bad), bad).toBe('national-id-format');
		}
	});

	it('refuses every single changed digit as a checksum problem', () => {
		const valid = makeSyntheticNationalId('1951-05-03');
		for (let i = 0; i < valid.length; i++) {
			for (let digit = 0; digit <= 9; digit++) {
				if (String(digit) === valid[i]) continue;
				const changed = valid.slice(0, i) + String(digit) + valid.slice(i + 1);
				expect(checkNationalId(changed), changed).toBe('national-id-checksum');
			}
		}
	});

	it('refuses two swapped neighbouring digits', () => {
		expect(checkNationalId('51076500565')).toBe('national-id-checksum');
	});

	it('accepts a D-number (day + 40) and an H-number (month + 40)', () => {
		expect(checkNationalId(withCheckDigits('430551'))).toBeNull();
		expect(checkNationalId(withCheckDigits('034551'))).toBeNull();
		expect(checkNationalId(withCheckDigits('438551'))).toBeNull();
	});

	it('refuses impossible dates with valid check digits', () => {
		const heads = {
			'day 00': '008551',
			'day 32': '328551',
			'D-number day 72': '728551',
			'month 00': '030051',
			'month 13': '031351',
			'synthetic month 13': '039351',
			'31 February': '318251',
			'30 February': '308251',
			'31 April': '318451',
			'29 February in 1951': '298251'
		};
		for (const [label, head] of Object.entries(heads)) {
			expect(checkNationalId(withCheckDigits(head)), label).toBe('national-id-date');
		}
	});

	it('accepts the last day of each month, and 29 February in a leap year', () => {
		expect(checkNationalId(withCheckDigits('318151'))).toBeNull();
		expect(checkNationalId(withCheckDigits('308451'))).toBeNull();
		expect(checkNationalId(withCheckDigits('288251'))).toBeNull();
		expect(checkNationalId(withCheckDigits('298252'))).toBeNull();
	});
});

describe('makeSyntheticNationalId', () => {
	it('makes Pål a valid synthetic number: birth date with month + 80', () => {
		const id = makeSyntheticNationalId('1951-05-03');
		expect(id).toMatch(/^038551\d{5}$/);
		expect(checkNationalId(id)).toBeNull();
		expect(isSyntheticNationalId(id)).toBe(true);
	});

	it('gives valid numbers across a range of birth dates', () => {
		for (const date of ['1930-01-01', '1951-12-31', '1988-02-29', '2004-07-15', '2019-10-09']) {
			const id = makeSyntheticNationalId(date);
			const [y, m, d] = date.split('-');
			expect(id.slice(0, 6)).toBe(`${d}${Number(m) + 80}${y!.slice(2)}`);
			expect(checkNationalId(id), date).toBeNull();
		}
	});

	it('skips individual numbers without check digits', () => {
		const id = makeSyntheticNationalId('1951-05-03', 102);
		expect(id.slice(6, 9)).toBe('104');
		expect(checkNationalId(id)).toBeNull();
	});

	it('gives different numbers for different start values', () => {
		const a = makeSyntheticNationalId('1951-05-03', 100);
		const b = makeSyntheticNationalId('1951-05-03', 500);
		expect(a).not.toBe(b);
		expect(checkNationalId(b)).toBeNull();
	});

	it('throws on something that is not a date', () => {
		expect(() => makeSyntheticNationalId('03.05.1951')).toThrow(/not a date/);
	});
});

describe('isSyntheticNationalId', () => {
	it('is true only for eleven digits with month above 80', () => {
		expect(isSyntheticNationalId(makeSyntheticNationalId('1975-11-20'))).toBe(true);
		expect(isSyntheticNationalId('15076500565')).toBe(false);
		expect(isSyntheticNationalId(withCheckDigits('034551'))).toBe(false);
		expect(isSyntheticNationalId('0385511005')).toBe(false);
		expect(isSyntheticNationalId('03855110O58')).toBe(false);
	});
});

describe('spacedNationalId and maskedNationalId', () => {
	const id = makeSyntheticNationalId('1951-05-03');

	it('shows the birth-date part and hides the personal number', () => {
		expect(id.slice(0, 6)).toBe('038551');
		expect(maskedNationalId(id)).toBe('038551 *****');
		expect(spacedNationalId(id)).toBe(`038551 ${id.slice(6)}`);
	});

	it('hides whole, and leaves unspaced, anything that is not 11 digits', () => {
		expect(maskedNationalId('12345')).toBe('*****');
		expect(spacedNationalId('12345')).toBe('12345');
	});
});
