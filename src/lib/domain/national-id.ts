/**
 * Fødselsnummer: the Norwegian national identity number, 11 digits: birth date (DDMMYY), an
 * individual number (3 digits) and two mod-11 check digits. Synthetic numbers add 80 to the month.
 */
export type NationalIdProblem = 'national-id-format' | 'national-id-checksum' | 'national-id-date';

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

function checkDigit(digits: number[], weights: number[]): number | null {
	const sum = weights.reduce((acc, w, i) => acc + w * (digits[i] ?? 0), 0);
	const rest = 11 - (sum % 11);
	if (rest === 11) return 0;
	if (rest === 10) return null;
	return rest;
}

/** The two check digits for the first nine digits, or null when no valid pair exists. */
export function nationalIdCheckDigits(first9: string): [number, number] | null {
	const digits = [...first9].map(Number);
	const k1 = checkDigit(digits, W1);
	if (k1 === null) return null;
	const k2 = checkDigit([...digits, k1], W2);
	if (k2 === null) return null;
	return [k1, k2];
}

/** Days in a month; the two-digit year cannot tell 1900 from 2000, so 29 February is allowed when it divides by 4. */
function daysInMonth(month: number, yy: number): number {
	if (month === 2) return yy % 4 === 0 ? 29 : 28;
	return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Checks a national ID (ordinary, D-number or synthetic): 11 digits, a real date, both check digits. */
export function checkNationalId(value: string): NationalIdProblem | null {
	if (!/^\d{11}$/.test(value)) return 'national-id-format';
	const expected = nationalIdCheckDigits(value.slice(0, 9));
	if (!expected || expected[0] !== Number(value[9]) || expected[1] !== Number(value[10])) {
		return 'national-id-checksum';
	}
	let day = Number(value.slice(0, 2));
	let month = Number(value.slice(2, 4));
	if (day > 40) day -= 40; // D-number
	if (month > 80) month -= 80; // synthetic (test) number
	else if (month > 40) month -= 40; // H-number / Skatteetaten test range
	if (month < 1 || month > 12 || day < 1 || day > daysInMonth(month, Number(value.slice(4, 6)))) return 'national-id-date';
	return null;
}

/** True when the number is marked synthetic (month + 80), so it can never belong to a real person. */
export function isSyntheticNationalId(value: string): boolean {
	return /^\d{11}$/.test(value) && Number(value.slice(2, 4)) > 80;
}

/**
 * Makes a valid synthetic national ID for a birth date (YYYY-MM-DD), trying individual numbers
 * from `start` upwards until the check digits exist.
 */
export function makeSyntheticNationalId(birthDate: string, start = 100): string {
	const [y, m, d] = birthDate.split('-');
	if (!y || !m || !d) throw new Error(`not a date: ${birthDate}`);
	const head = `${d}${String(Number(m) + 80).padStart(2, '0')}${y.slice(2)}`;
	for (let individual = start; individual < start + 500; individual++) {
		const first9 = head + String(individual % 1000).padStart(3, '0');
		const check = nationalIdCheckDigits(first9);
		if (check) return `${first9}${check[0]}${check[1]}`;
	}
	throw new Error(`no synthetic national ID for ${birthDate}`);
}

/** A national ID as people read it: the birth-date part, a space, the personal number (`030551 12345`). */
export function spacedNationalId(value: string): string {
	return /^\d{11}$/.test(value) ? `${value.slice(0, 6)} ${value.slice(6)}` : value;
}

/** A national ID with its personal number hidden (`030551 *****`), for showing until asked; anything not 11 digits is hidden whole. */
export function maskedNationalId(value: string): string {
	return /^\d{11}$/.test(value) ? `${value.slice(0, 6)} *****` : '*'.repeat(value.length);
}
