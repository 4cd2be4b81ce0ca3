/**
 * What the users of the role property test do on their devices: the demo's real users of every
 * role, each making changes their role allows and changes it does not, through the device's own
 * repository. `mayMake` is the test's oracle: deliberately coarser than the register's rules, it
 * names only changes whose outcome does not depend on timing.
 */
import { logDocId, planDocId, type DocumentId, type ItemId, type Month, type PatientId } from '$lib/domain/ids';
import { recordMeasure } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import type { Doc } from '@automerge/automerge';
import { genesis } from '$lib/domain/genesis';
import { addCareTeamMember, addDiagnosis, addMeasure, addMeasureComment, addPlanComment, addWhatMatters, newPlan, setRestricted, updateDiagnosis, updateMeasure } from '$lib/domain/plan-ops';
import { clinicians, pal, relatives } from '$lib/fixtures';
import { ctxOf, memberOf } from '$lib/fixtures/support';
import { allows, demoUsers, isClinician, palGrandson, personRefOf, type User } from '$lib/server/access/users';
import type { PlanRepository } from '$lib/storage/plan-repository';

const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;

/** The Rana home-care nurse, the GP, Pål, his daughter (full proxy) and his grandson (proxy to read the plan only). */
export const roleUsers: readonly User[] = [
	userOf(clinicians.ranaNurse.id),
	userOf(clinicians.bodoGp.id),
	demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!,
	userOf(relatives.palDaughter.id),
	userOf(palGrandson.id)
];

export const EDIT_KINDS = ['visit', 'rewrite-visit', 'plan-comment', 'measure-comment', 'what-matters', 'diagnosis', 'measure-title', 'as-another', 'restrict'] as const;
/**
 * A change a user tries: record a visit on the eye drops (home care's measure), rewrite a visit
 * record the register holds, comment on the plan or a measure, write what matters, edit the
 * glaucoma diagnosis or the eye drops' title, comment in the eye doctor's name, restrict the plan.
 */
export type EditKind = (typeof EDIT_KINDS)[number];

export const AT = '2026-11-20T08:00:00.000Z';
export const PLAN = planDocId(pal.patientId);
export const LOG = logDocId(pal.patientId, '2026-11' as Month);

/**
 * Pål's plan cut to what the changes touch (the glaucoma diagnosis, the eye drops, the nurse and
 * the GP on the care team): every sync frame reads the whole plan on both sides, and the full
 * fixture would make a run several times slower without testing more.
 */
export function palPlanDocument(): { docId: DocumentId; patientId: PatientId; doc: Doc<Plan> } {
	const gp = ctxOf(clinicians.bodoGp, '2026-02-16T09:30:00.000Z');
	const plan = newPlan(pal.patientId, pal.patient, { form: 'written', givenBy: 'proxy' }, gp);
	const glaucoma = pal.plan.diagnoses[pal.diagnoses.glaucoma]!;
	addDiagnosis(plan, pal.diagnoses.glaucoma, { text: glaucoma.text, code: glaucoma.code }, gp);
	const eyeDrops = pal.plan.measures[pal.measures.eyeDrops]!;
	addMeasure(plan, pal.measures.eyeDrops, { title: eyeDrops.title, description: eyeDrops.description, category: eyeDrops.category, timing: eyeDrops.timing, performer: eyeDrops.performer, addresses: [...eyeDrops.addresses], pllReference: eyeDrops.pllReference }, gp);
	addCareTeamMember(plan, pal.careTeam.gp, memberOf(clinicians.bodoGp), gp);
	addCareTeamMember(plan, pal.careTeam.nurse, memberOf(clinicians.ranaNurse), gp);
	return { docId: PLAN, patientId: pal.patientId, doc: genesis(PLAN, plan) };
}

/** Whether the register must take this change from this user, whenever it arrives; false: it must refuse it. */
export function mayMake(user: User, kind: EditKind): boolean {
	if (kind === 'as-another' || kind === 'rewrite-visit' || !allows(user, 'write')) return false;
	if (kind === 'visit' || kind === 'diagnosis' || kind === 'measure-title') return isClinician(user);
	if (kind === 'restrict') return !isClinician(user);
	return true;
}

/** One change a device made: the document, the change's hash, and whether the register must refuse it. */
export type Edit = { docId: DocumentId; hash: string; refusable: boolean };

/** The id of the run's `n`th new item: the same every time a seed is replayed. */
const itemId = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}` as ItemId;

function planEdit(kind: EditKind, n: number, ctx: Context): ((p: Plan) => void) | null {
	const id = itemId(n);
	const text = `endring ${n}`;
	switch (kind) {
		case 'plan-comment':
			return (p) => addPlanComment(p, id, text, ctx);
		case 'measure-comment':
			return (p) => addMeasureComment(p, pal.measures.eyeDrops, id, text, ctx);
		case 'what-matters':
			return (p) => addWhatMatters(p, id, text, ctx.by.role === 'patient' ? 'patient' : ctx.by.role === 'relative' ? 'relative' : 'clinician-on-behalf', ctx);
		case 'diagnosis':
			return (p) => updateDiagnosis(p, pal.diagnoses.glaucoma, { text: `Grønn stær, ${text}`, code: p.diagnoses[pal.diagnoses.glaucoma]!.code }, ctx);
		case 'measure-title':
			return (p) => {
				const m = p.measures[pal.measures.eyeDrops]!;
				updateMeasure(p, pal.measures.eyeDrops, { title: `Øyedråper, ${text}`, description: m.description, category: m.category, timing: m.timing, performer: m.performer, addresses: [...m.addresses], pllReference: m.pllReference }, ctx);
			};
		case 'as-another':
			return (p) => addPlanComment(p, id, text, { ...ctx, by: personRefOf(userOf(clinicians.tromsoEyeDoctor.id)) });
		case 'restrict':
			return (p) => setRestricted(p, n % 2 === 0, ctx);
		default:
			return null;
	}
}

/** A log change, or null when there is nothing to do it to (`inRegister`: whether the register holds a record). */
async function logEdit(repo: PlanRepository, kind: EditKind, n: number, ctx: Context, inRegister: (entryId: string) => Promise<boolean>): Promise<((l: MeasureLog) => void) | null> {
	const id = itemId(n);
	if (kind === 'visit') return (l) => recordMeasure(l, id, { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '' }, ctx);
	const opened = await repo.openPatient(pal.patientId, AT);
	const held = opened.ok ? opened.value.logs.flatMap((l) => Object.keys(l.entries)) : [];
	// Only a record the register already holds: rewriting one's own record before it is sent is no rewrite.
	for (const entryId of held) if (await inRegister(entryId)) return (l) => void (l.entries[entryId]!.note = `endret ${n}`);
	return null;
}

/** Makes one change as `user` on their device; null when it could not be made there (nothing to change, or the plan is not on the device). */
export async function makeEdit(repo: PlanRepository, user: User, kind: EditKind, n: number, inRegister: (entryId: string) => Promise<boolean>): Promise<Edit | null> {
	const ctx: Context = { by: personRefOf(user), at: AT };
	const onPlan = planEdit(kind, n, ctx);
	const onLog = onPlan ? null : await logEdit(repo, kind, n, ctx, inRegister);
	const docId = onPlan ? PLAN : LOG;
	const result = onPlan ? await repo.changePlan(pal.patientId, ctx, onPlan) : onLog ? await repo.changeLog(pal.patientId, AT, ctx, onLog) : null;
	if (!result?.ok) return null;
	// A change made on the device's heads is their one new head.
	const [hash] = (await repo.db.docs.get(docId))?.heads ?? [];
	return hash ? { docId, hash, refusable: !mayMake(user, kind) } : null;
}
