import type { CodeSystem } from './plan';

/** Why a diagnosis code does not fit its code system's format. */
export type CodeProblem = 'icd10-format' | 'icpc2-format' | 'snomed-format' | 'snomed-check-digit' | 'snomed-partition';

// ICD-10: a category (letter, two digits; every letter is used, U for special purposes) and an
// optional subdivision after a dot. National extensions add digits, so any number is allowed.
const ICD10 = /^[A-Z]\d{2}(\.\d+)?$/;
// ICPC-2: one of its 17 chapter letters and a rubric 01–99 (01–29 symptoms, 30–69 process, 70–99 diagnoses).
const ICPC2 = /^[ABDFHKLNPRSTUWXYZ](0[1-9]|[1-9]\d)$/;
// SNOMED CT identifier (SCTID): 6–18 digits, no leading zero.
const SCTID = /^[1-9]\d{5,17}$/;
// The partition identifier (the two digits before the check digit) of a concept: 00 in the
// international release's short form, 10 in an extension's long form (a 7-digit namespace first).
const CONCEPT_SHORT = '00';
const CONCEPT_LONG = '10';
const NAMESPACE_DIGITS = 7;

// Verhoeff's scheme over the dihedral group D5: multiplication, permutation and inverse tables.
const D = [
	[0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
	[1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
	[2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
	[3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
	[4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
	[5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
	[6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
	[7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
	[8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
	[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
];
// Row i of the permutation table is the first permutation applied i times.
const P1 = [1, 5, 7, 6, 2, 8, 3, 0, 9, 4];
const P: number[][] = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]];
for (let i = 1; i < 8; i++) P.push(P[i - 1]!.map((x) => P1[x]!));
const INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

function verhoeff(digits: string, offset: number): number {
	let c = 0;
	for (let i = 0; i < digits.length; i++) c = D[c]![P[(i + offset) % 8]![Number(digits[digits.length - 1 - i])]!]!;
	return c;
}

/** The Verhoeff check digit to append to a string of digits (SNOMED CT's check digit). */
export function verhoeffCheckDigit(digits: string): number {
	return INV[verhoeff(digits, 1)]!;
}

function checkSnomed(code: string): CodeProblem | null {
	if (!SCTID.test(code)) return 'snomed-format';
	if (verhoeff(code, 0) !== 0) return 'snomed-check-digit';
	const partition = code.slice(-3, -1);
	const itemDigits = code.length - 3;
	if (partition === CONCEPT_SHORT) return null;
	if (partition === CONCEPT_LONG && itemDigits > NAMESPACE_DIGITS) return null;
	return 'snomed-partition';
}

/** A code as stored: trimmed, and in capitals for the systems whose codes start with a letter. */
export function normalizeCode(system: CodeSystem, code: string): string {
	const trimmed = code.trim();
	return system === 'SNOMED-CT' ? trimmed : trimmed.toUpperCase();
}

/**
 * Whether a (normalized) code has its system's format: ICD-10 `A00`–`Z99` with an optional
 * `.digits`; ICPC-2 a chapter letter and `01`–`99`; SNOMED CT a concept id with a valid Verhoeff
 * check digit. The format only: whether the code exists needs the terminology itself.
 */
export function checkCode(system: CodeSystem, code: string): CodeProblem | null {
	switch (system) {
		case 'ICD-10':
			return ICD10.test(code) ? null : 'icd10-format';
		case 'ICPC-2':
			return ICPC2.test(code) ? null : 'icpc2-format';
		case 'SNOMED-CT':
			return checkSnomed(code);
	}
}
