import { describe, expect, it } from 'vitest';
import { matchesSearch, searchKeyOf } from './patient-search';

const anne = searchKeyOf({ name: 'Anne Johansen', birthDate: '1951-05-03', nationalId: '03855112345' });
const other = searchKeyOf({ name: 'Anne Johansen', birthDate: '1948-11-20', nationalId: '20914898765' });
const oyvind = searchKeyOf({ name: 'Øyvind Ås', birthDate: '1940-01-02' });

describe('matchesSearch', () => {
	it('finds by any part of the name, in any case, word by word', () => {
		expect(matchesSearch(anne, 'johan')).toBe(true);
		expect(matchesSearch(anne, 'ANNE jo')).toBe(true);
		expect(matchesSearch(anne, 'anne berg')).toBe(false);
		expect(matchesSearch(oyvind, 'øyv ås')).toBe(true);
	});

	it('tells two patients of the same name apart by birth date, however it is written', () => {
		for (const q of ['03.05.1951', '030551', '1951-05-03', '03 05 51', '03.05']) {
			expect(matchesSearch(anne, q), q).toBe(true);
			expect(matchesSearch(other, q), q).toBe(false);
		}
	});

	it('finds by the national ID, whole or its beginning, with or without a space', () => {
		expect(matchesSearch(anne, '03855112345')).toBe(true);
		expect(matchesSearch(anne, '038551 12345')).toBe(true);
		expect(matchesSearch(other, '03855112345')).toBe(false);
		expect(matchesSearch(oyvind, '0385')).toBe(false);
	});

	it('matches everyone when nothing is typed', () => {
		expect(matchesSearch(anne, '  ')).toBe(true);
	});
});
