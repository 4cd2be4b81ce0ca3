import { describe, expect, it } from 'vitest';
import { samePerson } from './person';
import type { PersonRef } from './plan';

const kari: PersonRef = { name: 'Kari Sykepleier', role: 'home-care', organisation: 'Rana kommune' };

describe('samePerson', () => {
	it('is the same person only when name, role and organisation all agree', () => {
		expect(samePerson(kari, { ...kari })).toBe(true);
		expect(samePerson(kari, { ...kari, name: 'Kari Sykepleier2' })).toBe(false);
		expect(samePerson(kari, { ...kari, role: 'gp' })).toBe(false);
		expect(samePerson(kari, { ...kari, organisation: 'Bodø kommune' })).toBe(false);
		expect(samePerson(kari, { ...kari, organisation: null })).toBe(false);
	});

	it('treats an absent organisation as none, and an absent or malformed stamp as nobody', () => {
		const patient: PersonRef = { name: 'Pål', role: 'patient', organisation: null };
		expect(samePerson(patient, { name: 'Pål', role: 'patient' })).toBe(true);
		expect(samePerson(undefined, patient)).toBe(false);
		expect(samePerson({}, {})).toBe(false);
		expect(samePerson({ name: 1, role: 'gp' }, { name: 1, role: 'gp' })).toBe(false);
	});
});
