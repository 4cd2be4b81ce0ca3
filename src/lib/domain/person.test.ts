import { describe, expect, it } from 'vitest';
import { actorOf, samePerson, stampedBy } from './person';
import type { PersonRef } from './plan';

const kari: PersonRef = { name: 'Kari Sykepleier', role: 'home-care', organisation: 'Rana kommune' };

describe('samePerson', () => {
	it('compares ids alone when both stamps carry one: two people may share a name, and a renamed person stays the same', () => {
		const one: PersonRef = { ...kari, id: 'sub-1' };
		expect(samePerson(one, { ...kari, id: 'sub-2' })).toBe(false);
		expect(samePerson(one, { ...one, name: 'Kari Sykepleier Lund', organisation: 'Bodø kommune' })).toBe(true);
	});

	it('falls back to name, role and organisation for a stamp written before ids', () => {
		expect(samePerson(kari, { ...kari, id: 'sub-1' })).toBe(true);
		expect(samePerson({ ...kari, id: 'sub-1' }, { ...kari, role: 'gp' })).toBe(false);
	});

	it('is the same person only when name, role and organisation all agree, without ids', () => {
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

describe('stampedBy', () => {
	it('holds only for a stamp carrying the given id: a stamp without one names nobody now', () => {
		expect(stampedBy({ ...kari, id: 'sub-1' }, 'sub-1')).toBe(true);
		expect(stampedBy({ ...kari, id: 'sub-2' }, 'sub-1')).toBe(false);
		expect(stampedBy(kari, 'sub-1')).toBe(false);
		expect(stampedBy({ ...kari, id: '' }, '')).toBe(false);
		expect(stampedBy(undefined, 'sub-1')).toBe(false);
	});
});

describe('actorOf', () => {
	it('stamps with the id, and the HPR number for clinicians only', () => {
		expect(actorOf({ id: 'sub-1', name: 'Kari', role: 'home-care', organisation: 'Rana kommune', hpr: '990000101' })).toEqual({ id: 'sub-1', name: 'Kari', role: 'home-care', organisation: 'Rana kommune', hpr: '990000101' });
		expect(actorOf({ id: 'sub-2', name: 'Pål', role: 'patient', organisation: null, hpr: null })).toEqual({ id: 'sub-2', name: 'Pål', role: 'patient', organisation: null });
	});
});
