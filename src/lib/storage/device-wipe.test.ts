import { describe, expect, it } from 'vitest';
import type { ItemId } from '$lib/domain/ids';
import { recordMeasure } from '$lib/domain/measure-log';
import { addPlanComment } from '$lib/domain/plan-ops';
import type { Context } from '$lib/domain/plan';
import { clinicians, demoDocuments, pal, solveig } from '$lib/fixtures';
import { refOf } from '$lib/fixtures/support';
import { DbepDb } from './db';
import { DevicePin } from './device-pin';
import { unsentChanges, wipeDevice } from './device-wipe';
import { PlanRepository } from './plan-repository';

const NOW = '2026-10-05T06:10:00.000Z';
const nurse: Context = { by: refOf(clinicians.ranaNurse), at: NOW };
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}` as ItemId;

async function seeded(): Promise<{ db: DbepDb; repo: PlanRepository }> {
	const db = new DbepDb(`dbep-wipe-${crypto.randomUUID()}`);
	const repo = new PlanRepository(db);
	await repo.importPlans(demoDocuments(), NOW);
	return { db, repo };
}

describe('unsent changes and wiping the device', () => {
	it('names each patient with unsent changes and counts the changes, plan and log together', async () => {
		const { db, repo } = await seeded();
		expect(await unsentChanges(db)).toEqual([]);
		await repo.changePlan(pal.patientId, nurse, (plan) => addPlanComment(plan, id(1), 'Datteren sier synet virker dårligere.', nurse));
		await repo.changePlan(pal.patientId, nurse, (plan) => addPlanComment(plan, id(2), 'Ny time hos øyelegen.', nurse));
		const eyeDrops = pal.measures.eyeDrops;
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, id(3), { outcome: 'done', measureId: eyeDrops, at: NOW, slot: '08:00', note: '' }, nurse));
		await repo.changePlan(solveig.patientId, nurse, (plan) => addPlanComment(plan, id(4), 'Ringte fastlegen.', nurse));
		expect(await unsentChanges(db)).toEqual([
			{ patientId: pal.patientId, name: pal.patient.name, changes: 3 },
			{ patientId: solveig.patientId, name: solveig.patient.name, changes: 1 }
		].sort((a, b) => a.name.localeCompare(b.name, 'nb')));
		repo.close();
	});

	it('wipes every table of the device, PINs included, and the database opens empty again', async () => {
		const { db, repo } = await seeded();
		await repo.changePlan(pal.patientId, nurse, (plan) => addPlanComment(plan, id(1), 'Usendt kommentar.', nurse));
		await new DevicePin(db).choose(clinicians.ranaNurse.id, '2580');
		await wipeDevice(db);
		const reopened = new DbepDb(db.name);
		for (const table of reopened.tables) expect(await table.count(), table.name).toBe(0);
		reopened.close();
	});
});
