import { describe, expect, it } from 'vitest';
import { fromOwnPage } from './same-origin';

const own = 'http://localhost:3000';

describe('fromOwnPage', () => {
	it('takes the app’s own pages', () => {
		expect(fromOwnPage(new Headers({ origin: own }), own)).toBe(true);
		expect(fromOwnPage(new Headers({ 'sec-fetch-site': 'same-origin' }), own)).toBe(true);
		expect(fromOwnPage(new Headers(), own)).toBe(true);
	});

	it('refuses another site, another port of the same host, and another scheme', () => {
		expect(fromOwnPage(new Headers({ origin: 'https://evil.example' }), own)).toBe(false);
		expect(fromOwnPage(new Headers({ origin: 'http://localhost:8080' }), own)).toBe(false);
		expect(fromOwnPage(new Headers({ origin: 'https://localhost:3000' }), own)).toBe(false);
		expect(fromOwnPage(new Headers({ 'sec-fetch-site': 'cross-site' }), own)).toBe(false);
		expect(fromOwnPage(new Headers({ 'sec-fetch-site': 'same-site' }), own)).toBe(false);
	});
});
