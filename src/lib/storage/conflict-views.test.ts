import * as A from '@automerge/automerge/slim';
import { describe, expect, it } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import type { Context, Plan } from '$lib/domain/plan';
import { updateGoal } from '$lib/domain/plan-ops';
import { clinicians, createPlanDocument, pal } from '$lib/fixtures';
import { DbepDb } from './db';
import { PlanRepository } from './plan-repository';

const docId = planDocId(pal.patientId);
const PURPOSE = pal.goals.purpose;
const ctxOf = (who: 'bodoGp' | 'ranaNurse', at: string): Context => {
	const { id, name, role, organisation } = clinicians[who];
	return { by: { id, name, role, organisation }, at };
};

/** Pål's plan after the GP and the nurse rewrote his purpose on two tablets, merged. */
function rewrittenTwice(): A.Doc<Plan> {
	const { doc } = createPlanDocument(pal);
	const rewrite = (actor: string, text: string, ctx: Context) =>
		A.change(A.clone(doc, { actor: actor.repeat(32) }), (d) => {
			const g = d.goals[PURPOSE]!;
			updateGoal(d, PURPOSE, { category: g.category, text, targetDate: g.targetDate, addresses: [...g.addresses] }, ctx);
		});
	return A.merge(rewrite('a', 'Bevare synet lengst mulig', ctxOf('bodoGp', '2026-12-01T09:12:00.000Z')), rewrite('b', 'Unngå blindhet og fall i hjemmet', ctxOf('ranaNurse', '2026-12-01T09:40:00.000Z')));
}

describe('a plan’s conflicts on the device', () => {
	it('are stored with its view, every version with who and when, and read back on the next opening', async () => {
		const name = `dbep-test-${crypto.randomUUID()}`;
		await new PlanRepository(new DbepDb(name)).importPlans([{ docId, patientId: pal.patientId, doc: rewrittenTwice() }], '2026-12-01T10:00:00.000Z');
		const opened = await new PlanRepository(new DbepDb(name)).openPatient(pal.patientId, '2026-12-01T10:00:00.000Z');
		expect(opened.ok && opened.value.conflicts.map((c) => [c.path, c.versions.map((v) => [v.value, v.by?.name, v.at])])).toEqual([
			[`goals/${PURPOSE}/text`, [['Bevare synet lengst mulig', clinicians.bodoGp.name, '2026-12-01T09:12:00.000Z'], ['Unngå blindhet og fall i hjemmet', clinicians.ranaNurse.name, '2026-12-01T09:40:00.000Z']]]
		]);
	});

	it('are read again from the document when a view stored by an older version lists bare paths', async () => {
		const name = `dbep-test-${crypto.randomUUID()}`;
		const db = new DbepDb(name);
		await new PlanRepository(db).importPlans([{ docId, patientId: pal.patientId, doc: rewrittenTwice() }], '2026-12-01T10:00:00.000Z');
		const view = (await db.views.get(docId))!;
		await db.views.put({ ...view, conflicts: ['responsible'] as never });
		const opened = await new PlanRepository(new DbepDb(name)).openPatient(pal.patientId, '2026-12-01T10:00:00.000Z');
		expect(opened.ok && opened.value.conflicts.map((c) => c.path)).toEqual([`goals/${PURPOSE}/text`]);
		expect((await db.views.get(docId))?.conflicts.map((c) => c.path)).toEqual([`goals/${PURPOSE}/text`]);
	});
});
