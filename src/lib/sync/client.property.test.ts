import * as A from '@automerge/automerge/slim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemId, PatientId } from '$lib/domain/ids';
import { recordMeasure } from '$lib/domain/measure-log';
import { addPlanComment } from '$lib/domain/plan-ops';
import type { Context, Plan } from '$lib/domain/plan';
import { clinicians, pal, solveig } from '$lib/fixtures';
import { standInPair } from './stand-in-pair';

const { id, name, role, organisation } = clinicians.ranaNurse;
const at = (day: number) => `2026-10-${String(day).padStart(2, '0')}T08:00:00.000Z`;
const ctx = (day: number): Context => ({ by: { id, name, role, organisation }, at: at(day) });
const patients: PatientId[] = [pal.patientId, solveig.patientId];

type Action =
	| { kind: 'device-comment' | 'server-comment'; patient: 0 | 1; day: number }
	| { kind: 'device-visit'; day: number }
	| { kind: 'connect' | 'step' | 'drop' | 'local-changed' };

const action: fc.Arbitrary<Action> = fc.oneof(
	fc.record({ kind: fc.constantFrom('device-comment' as const, 'server-comment' as const), patient: fc.constantFrom(0 as const, 1 as const), day: fc.integer({ min: 1, max: 28 }) }),
	fc.record({ kind: fc.constant('device-visit' as const), day: fc.integer({ min: 1, max: 28 }) }),
	fc.record({ kind: fc.constantFrom('connect' as const, 'step' as const, 'drop' as const, 'local-changed' as const) })
);

describe('SyncClient with a stand-in server (property)', () => {
	it('converges whatever the interleaving of changes, partial exchanges and lost connections', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 12 }), async (actions) => {
				const pair = standInPair();
				const { server, repo, client } = pair;
				await pair.connect();
				for (const a of actions) {
					const patientId = 'patient' in a ? patients[a.patient] : undefined;
					const text = `${a.kind} ${crypto.randomUUID()}`;
					const comment = (p: Plan) => addPlanComment(p, crypto.randomUUID() as ItemId, text, ctx('day' in a ? a.day : 1));
					if (a.kind === 'device-comment' && patientId) await repo.changePlan(patientId, ctx(a.day), comment);
					else if (a.kind === 'server-comment' && patientId) server.change<Plan>(`plan:${patientId}` as never, comment);
					else if (a.kind === 'device-visit') {
						const entry = { outcome: 'done' as const, measureId: pal.measures.eyeDrops, at: at(a.day), slot: '08:00', note: '' };
						await repo.changeLog(pal.patientId, at(a.day), ctx(a.day), (log) => recordMeasure(log, crypto.randomUUID() as ItemId, entry, ctx(a.day)));
					} else if (a.kind === 'connect') await pair.open();
					else if (a.kind === 'step') await pair.step();
					else if (a.kind === 'drop') pair.drop();
					else await client.localChanged();
				}
				pair.drop();
				await pair.connect();

				expect(await repo.unsyncedDocs()).toEqual([]);
				expect(client.state.phase).toBe('up-to-date');
				const rows = await pair.db.docs.toArray();
				expect(rows.map((r) => r.docId).sort()).toEqual(server.manifest().map(([id]) => id).sort());
				for (const row of rows) expect([...row.heads].sort()).toEqual([...A.getHeads(server.docs.get(row.docId) ?? A.init())].sort());
			}),
			{ numRuns: 12 }
		);
	}, 120_000);
});
