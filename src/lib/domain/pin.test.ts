import { describe, expect, it } from 'vitest';
import { choosePinProblem, isPinFormat } from './pin';

describe('device PIN form', () => {
	it('takes 4 to 6 digits and nothing else', () => {
		for (const pin of ['1234', '12345', '123456']) expect(isPinFormat(pin)).toBe(true);
		for (const pin of ['', '123', '1234567', '12a4', ' 1234', '12 34', '١٢٣٤']) expect(isPinFormat(pin)).toBe(false);
	});

	it('needs the same PIN twice', () => {
		expect(choosePinProblem('2580', '2580')).toBeNull();
		expect(choosePinProblem('2580', '2581')).toBe('pin-mismatch');
		expect(choosePinProblem('25', '25')).toBe('pin-format');
	});
});
