import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import type { Plan, PersonRef } from '$lib/domain/plan';
import { setMeasureStatus } from '$lib/domain/plan-ops';
import { clinicians, createPlanDocument, pal } from '$lib/fixtures';
import { breachOf } from './rules';
import { demoUsers, personRefOf, type User } from './users';

const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const gp = userOf(clinicians.bodoGp.id);
const nurse = userOf(clinicians.ranaNurse.id);
const ref = { kind: 'plan' as const, docId: planDocId(pal.patientId), patientId: pal.patientId };
const NOTE = pal.comments.dropsGivenByHomeCare;
const AT = '2026-12-01T09:00:00.000Z';

/** Pål's plan as stored before stamps carried ids: every `by` names its author by name only. */
function legacyPlan(): A.Doc<Plan> {
	const legacy = (p: PersonRef): PersonRef => ({ name: p.name, role: p.role, organisation: p.organisation });
	return A.change(createPlanDocument(pal).doc, (d) => {
		const comment = d.measures[pal.measures.eyeDrops]!.comments[NOTE]!;
		comment.by = legacy(comment.by);
		d.measures[pal.measures.eyeDrops]!.status.by = legacy(d.measures[pal.measures.eyeDrops]!.status.by);
	});
}

async function breach(doc: A.Doc<Plan>, user: User, edit: (p: Plan) => void) {
	const after = A.change(A.clone(doc), edit);
	return breachOf(user, ref, after, A.getHeads(doc), A.getHeads(after), async () => after);
}

describe('the register and stamps written before ids', () => {
	it('keeps an old stamp readable, lets its author (by name) change the entry, and refuses anyone else', async () => {
		const doc = legacyPlan();
		expect(doc.measures[pal.measures.eyeDrops]?.comments[NOTE]?.by).toEqual({ name: nurse.name, role: nurse.role, organisation: nurse.organisation });
		const rewrite = (p: Plan) => void (p.measures[pal.measures.eyeDrops]!.comments[NOTE]!.text = 'Hjemmetjenesten drypper hver morgen.');
		expect(await breach(doc, nurse, rewrite)).toBeNull();
		expect(await breach(doc, gp, rewrite)).toMatchObject({ rule: 'written-by-another' });
	});

	it('takes a new stamp over an old one, in the user’s own name by id', async () => {
		const doc = legacyPlan();
		expect(await breach(doc, gp, (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', { by: personRefOf(gp), at: AT }))).toBeNull();
	});
});
