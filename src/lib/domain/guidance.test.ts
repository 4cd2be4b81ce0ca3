import { describe, expect, it } from 'vitest';
import type { ItemId } from './ids';
import { contactOf, formatPhone, guidanceInForce, endedGuidance, normalizePhone, phoneHref } from './guidance';
import type { ContactGuidance } from './plan';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const nurse = { name: 'Kari Sykepleier', role: 'home-care' as const, organisation: 'Rana kommune' };

describe('normalizePhone', () => {
	it('accepts Norwegian 8-digit numbers written as people write them, with or without +47', () => {
		for (const written of ['41234567', '412 34 567', '+47 412 34 567', '0047 41234567', '+4741234567', '75-12-34-56', '75.12.34.56'])
			expect(normalizePhone(written), written).toMatch(/^(41234567|75123456)$/);
	});

	it('accepts the emergency numbers and the legevakt number', () => {
		expect(normalizePhone('113')).toBe('113');
		expect(normalizePhone('110')).toBe('110');
		expect(normalizePhone('112')).toBe('112');
		expect(normalizePhone('116 117')).toBe('116117');
	});

	it('refuses what is not a Norwegian phone number', () => {
		for (const bad of ['', '1234567', '123456789', '01234567', '+46 41234567', 'ring meg', '4123456a', '+47 113', '114'])
			expect(normalizePhone(bad), bad).toBeNull();
	});
});

describe('formatPhone and phoneHref', () => {
	it('groups a mobile number 3-2-3, a landline 2-2-2-2, the legevakt number 3-3', () => {
		expect(formatPhone('41234567')).toBe('412 34 567');
		expect(formatPhone('91234567')).toBe('912 34 567');
		expect(formatPhone('75123456')).toBe('75 12 34 56');
		expect(formatPhone('116117')).toBe('116 117');
		expect(formatPhone('113')).toBe('113');
	});

	it('dials Norwegian numbers with +47 and short numbers as they are', () => {
		expect(phoneHref('41234567')).toBe('tel:+4741234567');
		expect(phoneHref('113')).toBe('tel:113');
		expect(phoneHref('116117')).toBe('tel:116117');
	});
});

describe('reading guidance', () => {
	const level = (n: number, g: Partial<ContactGuidance>): ContactGuidance => ({ id: id(n), level: 'green', signs: 's', action: 'a', contact: 'Fastlegen', ...g });

	it('reads whom to call from a new level as name and phone, from an older plan’s line as its text', () => {
		expect(contactOf(level(1, { contact: { name: 'Legevakten', phone: '116117' } }))).toEqual({ name: 'Legevakten', phone: '116117' });
		expect(contactOf(level(1, { contact: 'Legevakten 116 117, AMK 113' }))).toEqual({ name: 'Legevakten 116 117, AMK 113', phone: null });
	});

	it('lists levels in force green, yellow, red, and ended levels apart; levels of older plans without a status are in force', () => {
		const plan = {
			contactGuidance: {
				[id(1)]: level(1, { level: 'red' }),
				[id(2)]: level(2, { level: 'green', status: 'active', by: nurse, at: '2026-11-26T07:10:00.000Z' }),
				[id(3)]: level(3, { level: 'yellow', status: 'ended', by: nurse, at: '2026-11-27T07:10:00.000Z' }),
				[id(4)]: level(4, { level: 'yellow' })
			}
		};
		expect(guidanceInForce(plan).map((g) => g.id)).toEqual([id(2), id(4), id(1)]);
		expect(endedGuidance(plan).map((g) => g.id)).toEqual([id(3)]);
	});
});
