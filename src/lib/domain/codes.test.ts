import { describe, expect, it } from 'vitest';
import { SELF_CARE_CODES } from './plan';
import { checkCode, normalizeCode, verhoeffCheckDigit } from './codes';

describe('verhoeffCheckDigit', () => {
	it('gives the check digit of the textbook example and of real SNOMED CT concept ids', () => {
		// Verhoeff's own worked example: 236 → 3.
		expect(verhoeffCheckDigit('236')).toBe(3);
		expect(verhoeffCheckDigit('2398600')).toBe(1); // 23986001 glaucoma
		expect(verhoeffCheckDigit('5244800')).toBe(6); // 52448006 dementia
		expect(verhoeffCheckDigit('18283200')).toBe(7); // 182832007
	});
});

describe('checkCode', () => {
	it('accepts ICD-10 codes: a letter, two digits, optionally a dot and digits', () => {
		for (const code of ['A00', 'H40', 'H40.1', 'F03', 'Z99', 'U07.1', 'M54.50']) expect(checkCode('ICD-10', code), code).toBeNull();
	});

	it('refuses malformed ICD-10 codes', () => {
		for (const code of ['H4', 'H401', 'H40.', '40.1', 'HH40', 'H40.1a', 'H 40', 'Ø40', 'H40,1']) expect(checkCode('ICD-10', code), code).toBe('icd10-format');
	});

	it('accepts ICPC-2 codes: a chapter letter and 01–99', () => {
		for (const code of ['A01', 'F93', 'P70', 'K86', 'Z29', 'B99', 'X01', 'Y99']) expect(checkCode('ICPC-2', code), code).toBeNull();
	});

	it('refuses ICPC-2 codes with no such chapter, 00, or the wrong shape', () => {
		// ICPC-2 has no chapters C, E, G, I, J, M, O, Q or V.
		for (const code of ['C01', 'E10', 'G01', 'I10', 'J01', 'M54', 'O01', 'Q01', 'V01', 'A00', 'F9', 'F930', 'F93.1', '93F']) {
			expect(checkCode('ICPC-2', code), code).toBe('icpc2-format');
		}
	});

	it('accepts real SNOMED CT concept ids, short and extension form', () => {
		for (const code of ['23986001', '52448006', '182832007', '404684003', '138875005', ...SELF_CARE_CODES]) expect(checkCode('SNOMED-CT', code), code).toBeNull();
		// An extension concept (Norwegian namespace 1000202, partition 10).
		expect(checkCode('SNOMED-CT', `1${'1000202'}10${verhoeffCheckDigit(`1100020210`)}`)).toBeNull();
	});

	it('refuses SNOMED CT ids with a wrong check digit', () => {
		for (const code of ['23986002', '52448007', '182832008', '23986000']) expect(checkCode('SNOMED-CT', code), code).toBe('snomed-check-digit');
	});

	it('refuses SNOMED CT ids that are not digits, too short or too long, or start with 0', () => {
		for (const code of ['2398600a', '12345', '1'.repeat(19), '023986001', 'H40.1', '239 86001']) expect(checkCode('SNOMED-CT', code), code).toBe('snomed-format');
	});

	it('refuses a SNOMED CT description or relationship id: not a concept', () => {
		const withPartition = (item: string, partition: string) => `${item}${partition}${verhoeffCheckDigit(item + partition)}`;
		expect(checkCode('SNOMED-CT', withPartition('239860', '01'))).toBe('snomed-partition');
		expect(checkCode('SNOMED-CT', withPartition('239860', '02'))).toBe('snomed-partition');
		expect(checkCode('SNOMED-CT', withPartition('2398601000202', '11'))).toBe('snomed-partition');
		expect(checkCode('SNOMED-CT', withPartition('239860', '07'))).toBe('snomed-partition');
		// Partition 10 needs a seven-digit namespace before it.
		expect(checkCode('SNOMED-CT', withPartition('2398', '10'))).toBe('snomed-partition');
	});
});

describe('normalizeCode', () => {
	it('trims, and writes ICD-10 and ICPC-2 codes in capitals', () => {
		expect(normalizeCode('ICD-10', ' h40.1 ')).toBe('H40.1');
		expect(normalizeCode('ICPC-2', 'f93')).toBe('F93');
		expect(normalizeCode('SNOMED-CT', ' 23986001 ')).toBe('23986001');
	});
});
