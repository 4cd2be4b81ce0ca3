/** What a search of the patient list looks at: the name, birth date (`YYYY-MM-DD`) and national ID. */
export type Searchable = { name: string; birthDate: string; nationalId?: string };

/** A patient's searchable text, prepared once per list rather than once per keystroke. */
export type SearchKey = { name: string; digits: string[] };

const fold = (text: string) => text.normalize('NFC').toLocaleLowerCase('nb');

/** The forms a nurse types a patient's identity in: birth date as `DDMMYY`, `DDMMYYYY` or `YYYYMMDD`, and the national ID. */
export function searchKeyOf(p: Searchable): SearchKey {
	const [y = '', m = '', d = ''] = p.birthDate.split('-');
	const digits = [`${d}${m}${y.slice(2)}`, `${d}${m}${y}`, `${y}${m}${d}`];
	if (p.nationalId) digits.push(p.nationalId);
	return { name: fold(p.name), digits };
}

/**
 * The test for what was typed, prepared once per keystroke: every word is part of the name, or,
 * for a query of digits (spaces, dots, dashes and slashes ignored, so `03.05.1951`, `1951-05-03`
 * and `030551 12345` all work), it begins the birth date or the national ID. An empty query matches all.
 */
export function searchFor(query: string): (key: SearchKey) => boolean {
	const q = fold(query).trim();
	if (q === '') return () => true;
	const digits = q.replace(/[\s./-]/g, '');
	if (/^\d+$/.test(digits)) return (key) => key.digits.some((form) => form.startsWith(digits));
	const words = q.split(/\s+/);
	return (key) => words.every((word) => key.name.includes(word));
}

/** True when the patient matches what was typed (see `searchFor`). */
export function matchesSearch(key: SearchKey, query: string): boolean {
	return searchFor(query)(key);
}
