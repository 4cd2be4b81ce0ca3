import { describe, expect, it } from 'vitest';
import { isItemId, isMonth, isPatientId, logDocId, parseDocumentId, planDocId, type Month, type PatientId } from './ids';

const PATIENT = '0f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const MONTH = '2026-11' as Month;

describe('id guards', () => {
	it('accept a lowercase UUID as patient or item id', () => {
		expect(isPatientId(PATIENT)).toBe(true);
		expect(isItemId(PATIENT)).toBe(true);
	});

	it('refuse other values', () => {
		for (const bad of [PATIENT.toUpperCase(), `${PATIENT}0`, PATIENT.slice(1), PATIENT.replaceAll('-', ''), '', 42, null, undefined, {}]) {
			expect(isPatientId(bad), String(bad)).toBe(false);
			expect(isItemId(bad), String(bad)).toBe(false);
		}
	});

	it('accept YYYY-MM months only', () => {
		for (const m of ['2026-01', '2026-09', '2026-12']) expect(isMonth(m), m).toBe(true);
		for (const m of ['2026-00', '2026-13', '2026-1', '26-11', '2026-11-01', '', 202611]) expect(isMonth(m), String(m)).toBe(false);
	});
});

describe('document ids', () => {
	it('round-trip a plan id', () => {
		expect(planDocId(PATIENT)).toBe(`plan:${PATIENT}`);
		expect(parseDocumentId(planDocId(PATIENT))).toEqual({ kind: 'plan', patientId: PATIENT });
	});

	it('round-trip a log id', () => {
		expect(logDocId(PATIENT, MONTH)).toBe(`log:${PATIENT}:2026-11`);
		expect(parseDocumentId(logDocId(PATIENT, MONTH))).toEqual({ kind: 'log', patientId: PATIENT, month: MONTH });
	});

	it('refuse anything else', () => {
		const bad = [
			undefined,
			17,
			'',
			PATIENT,
			`plan:${PATIENT.toUpperCase()}`,
			`plan:${PATIENT}:2026-11`,
			`log:${PATIENT}`,
			`log:${PATIENT}:2026-13`,
			`log:${PATIENT}:2026-11:x`,
			`note:${PATIENT}`,
			'plan:../../etc/passwd'
		];
		for (const value of bad) expect(parseDocumentId(value), String(value)).toBeNull();
	});
});
