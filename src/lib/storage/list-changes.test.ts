import { describe, expect, it } from 'vitest';
import type { PatientId } from '$lib/domain/ids';
import { demoDocuments, pal, solveig } from '$lib/fixtures';
import { DbepDb } from './db';
import { PlanRepository } from './plan-repository';

describe('listPatientsOf', () => {
	it('reads the rows of the changed patients only, and names those gone from the device', async () => {
		const repo = new PlanRepository(new DbepDb(`dbep-test-${crypto.randomUUID()}`));
		const docs = demoDocuments();
		await repo.importPlans(docs, '2026-10-01T00:00:00.000Z');
		const stranger = '00000000-0000-4000-8000-000000000001' as PatientId;

		const { items, gone } = await repo.listPatientsOf([pal.patientId, solveig.patientId, stranger]);
		expect(items.map((i) => i.patientId).sort()).toEqual([pal.patientId, solveig.patientId].sort());
		expect(items.every((i) => i.unsynced === false)).toBe(true);
		expect(gone).toEqual([stranger]);
		const all = await repo.listPatients();
		expect(items.find((i) => i.patientId === pal.patientId)).toEqual(all.find((i) => i.patientId === pal.patientId));
		repo.close();
	});
});
