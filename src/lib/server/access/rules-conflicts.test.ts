import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { planConflicts, resolveConflict } from '$lib/domain/conflicts';
import { planDocId } from '$lib/domain/ids';
import type { Context, Plan } from '$lib/domain/plan';
import { setRestricted, updateGoal } from '$lib/domain/plan-ops';
import { clinicians, createPlanDocument, pal, relatives } from '$lib/fixtures';
import { breachOf } from './rules';
import { demoUsers, personRefOf, type User } from './users';

const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const gp = userOf(clinicians.bodoGp.id);
const nurse = userOf(clinicians.ranaNurse.id);
const eyeDoctor = userOf(clinicians.tromsoEyeDoctor.id);
const palHimself = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const daughter = userOf(relatives.palDaughter.id);
const ref = { kind: 'plan' as const, docId: planDocId(pal.patientId), patientId: pal.patientId };
const PURPOSE = pal.goals.purpose;
const ctx = (user: User, at: string): Context => ({ by: personRefOf(user), at });

/** A device's offline rewrite of Pål's purpose, made on its own copy. */
function rewrite(doc: A.Doc<Plan>, user: User, text: string, actor: string): A.Doc<Plan> {
	return A.change(A.clone(doc, { actor: actor.repeat(32) }), (d) => {
		const g = d.goals[PURPOSE]!;
		updateGoal(d, PURPOSE, { category: g.category, text, targetDate: g.targetDate, addresses: [...g.addresses] }, ctx(user, '2026-12-01T09:00:00.000Z'));
	});
}

/** What the register decides when `device`'s changes arrive at its copy `register`. */
async function push(register: A.Doc<Plan>, device: A.Doc<Plan>, user: User) {
	const merged = A.merge(A.clone(register), device);
	// As the write path calls it: the register's cached document is the version before the change.
	return { merged, breach: await breachOf(user, ref, merged, A.getHeads(register), A.getHeads(merged), async () => merged, register) };
}

describe('the register and concurrent rewrites of one text', () => {
	it('accepts both clinicians’ offline rewrites and the nurse’s choice of the GP’s version', async () => {
		const { doc } = createPlanDocument(pal);
		const gpTablet = rewrite(doc, gp, 'Bevare synet lengst mulig', 'a');
		const nurseTablet = rewrite(doc, nurse, 'Unngå blindhet og fall i hjemmet', 'b');
		const first = await push(doc, gpTablet, gp);
		expect(first.breach).toBeNull();
		const second = await push(first.merged, nurseTablet, nurse);
		expect(second.breach).toBeNull();
		const [conflict] = planConflicts(second.merged);
		expect(conflict?.versions.map((v) => v.by?.name)).toEqual([gp.name, nurse.name]);
		const resolved = A.change(A.clone(second.merged, { actor: 'b'.repeat(32) }), (d) => resolveConflict(d, conflict!, { choose: 0 }, ctx(nurse, '2026-12-01T10:00:00.000Z')));
		expect((await push(second.merged, resolved, nurse)).breach).toBeNull();
	});

	it('accepts a third clinician’s rewrite arriving at a register that already holds two versions', async () => {
		const { doc } = createPlanDocument(pal);
		const devices = [rewrite(doc, gp, 'Bevare synet', 'a'), rewrite(doc, eyeDoctor, 'Holde øyetrykket nede', 'c'), rewrite(doc, nurse, 'Unngå fall', 'b')];
		let register = doc;
		for (const [device, user] of [[devices[0]!, gp], [devices[1]!, eyeDoctor], [devices[2]!, nurse]] as const) {
			const pushed = await push(register, device, user);
			expect(pushed.breach).toBeNull();
			register = pushed.merged;
		}
		// Read as a device holds it (from bytes): Automerge's getConflicts on a nested object of a
		// document merged into a clone of a merged document misses versions, and the register clones.
		expect(planConflicts(A.load<Plan>(A.save(register)))[0]?.versions.map((v) => v.by?.name)).toEqual([gp.name, eyeDoctor.name, nurse.name]);
	});

	it('refuses a choice written in another clinician’s name', async () => {
		const { doc } = createPlanDocument(pal);
		const both = A.merge(rewrite(doc, gp, 'Bevare synet', 'a'), rewrite(doc, nurse, 'Unngå fall', 'b'));
		const [conflict] = planConflicts(both);
		const forged = A.change(A.clone(both, { actor: 'b'.repeat(32) }), (d) => resolveConflict(d, conflict!, { choose: 1 }, ctx(gp, '2026-12-01T10:00:00.000Z')));
		expect((await push(both, forged, nurse)).breach).toMatchObject({ rule: 'stamped-as-another' });
	});
});

describe('the register and concurrent privacy choices', () => {
	/** A device's offline restriction of the plan, in its user's name, on its own copy. */
	const restrict = (doc: A.Doc<Plan>, user: User, restricted: boolean, actor: string) =>
		A.change(A.clone(doc, { actor: actor.repeat(32) }), (d) => setRestricted(d, restricted, ctx(user, '2026-12-01T09:00:00.000Z')));

	// Seen in the role property test: the daughter's restriction reached the register first; Pål's,
	// made at the same time in his own name, lost Automerge's tie-break (the higher actor wins), so
	// the merged value still named her, and his change was refused as "stamped as another". A
	// change is judged by what it writes, not by which concurrent version shows.
	it('accepts the patient’s own restriction when his daughter’s concurrent one stays the visible version', async () => {
		const { doc } = createPlanDocument(pal);
		const first = await push(doc, restrict(doc, daughter, true, 'f'), daughter);
		expect(first.breach).toBeNull();
		const second = await push(first.merged, restrict(doc, palHimself, false, 'a'), palHimself);
		expect(second.merged.privacy?.restricted?.by).toMatchObject({ id: daughter.id });
		expect(second.breach).toBeNull();
	});

	it('accepts it when his version is the one that shows', async () => {
		const { doc } = createPlanDocument(pal);
		const first = await push(doc, restrict(doc, daughter, true, 'a'), daughter);
		const second = await push(first.merged, restrict(doc, palHimself, false, 'f'), palHimself);
		expect(second.merged.privacy?.restricted?.by).toMatchObject({ id: palHimself.id });
		expect(second.breach).toBeNull();
	});

	it('still refuses a restriction written in his daughter’s name, whichever version shows', async () => {
		const { doc } = createPlanDocument(pal);
		for (const [mine, theirs] of [['a', 'f'], ['f', 'a']] as const) {
			const first = await push(doc, restrict(doc, daughter, true, theirs), daughter);
			const forged = A.change(A.clone(doc, { actor: mine.repeat(32) }), (d) => setRestricted(d, false, ctx(daughter, '2026-12-01T09:00:00.000Z')));
			expect((await push(first.merged, forged, palHimself)).breach, `Pål as ${mine}`).toMatchObject({ rule: 'stamped-as-another' });
		}
	});
});
