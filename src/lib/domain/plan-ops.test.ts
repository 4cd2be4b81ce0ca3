import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { ItemId, PatientId } from './ids';
import type { DiagnosisInput, GoalInput, MeasureInput } from './inputs';
import type { Context, Patient, Plan } from './plan';
import {
	addCareTeamMember,
	addDiagnosis,
	addGoal,
	addMeasure,
	addMeasureComment,
	addPlanComment,
	addWhatMatters,
	endContactGuidance,
	markEnteredInError,
	mayMarkInError,
	entriesInOrder,
	newPlan,
	putContactGuidance,
	setDiagnosisStatus,
	setGoalStatus,
	setMeasureStatus,
	setNextDue,
	setResponsible,
	updateDiagnosis,
	updateGoal,
	updateMeasure
} from './plan-ops';

const PATIENT = '0f8e2a34-5b6c-4d7e-8f90-a1b2c3d4e5f6' as PatientId;
const pal: Patient = { name: 'Pål Testesen', birthDate: '1951-05-03', nationalId: '03855110058', municipality: 'Rana' };
const nurse: Context = { by: { id: 'nurse-kari', name: 'Kari Sykepleier', role: 'home-care', organisation: 'Rana kommune' }, at: '2026-11-26T07:10:00.000Z' };
const gp: Context = { by: { id: 'gp-ola', name: 'Ola Fastlege', role: 'gp', organisation: 'Bodø legesenter' }, at: '2026-11-26T09:00:00.000Z' };
const eyeDoctor: Context = { by: { id: 'eye-siri', name: 'Siri Øyelege', role: 'specialist', organisation: 'UNN Tromsø' }, at: '2026-11-26T09:05:00.000Z' };

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const GLAUCOMA = id(1);
const DROPS = id(2);
const CHECK = id(3);
const PURPOSE = id(4);
const MEMBER = id(5);

const glaucoma: DiagnosisInput = { text: 'Grønn stær', code: { system: 'ICD-10', code: 'H40.1', display: null } };
const purpose: GoalInput = { category: 'purpose', text: 'Hindre synstap', targetDate: null, addresses: [GLAUCOMA] };
const drops: MeasureInput = {
	title: 'Øyedråper daglig',
	description: 'Se PLL',
	category: { kind: 'snomed', code: '182832007' },
	timing: { kind: 'daily', times: ['08:00', '20:00'] },
	performer: { kind: 'service', role: 'home-care', name: 'Hjemmesykepleien' },
	addresses: [GLAUCOMA],
	pllReference: 'PLL: Xalatan'
};
const check: MeasureInput = { ...drops, title: 'Årlig øyekontroll', description: '', timing: { kind: 'yearly', nextDue: '2027-03-01' }, pllReference: null };

/** Pål's plan with a diagnosis, a purpose, eye drops and the annual check. */
function palPlan(): A.Doc<Plan> {
	return A.change(A.from(newPlan(PATIENT, pal, { form: 'written', givenBy: 'patient' }, nurse)), (d) => {
		addDiagnosis(d, GLAUCOMA, glaucoma, nurse);
		addGoal(d, PURPOSE, purpose, nurse);
		addMeasure(d, DROPS, drops, nurse);
		addMeasure(d, CHECK, check, nurse);
	});
}

/** Two devices holding the same plan, each with its own actor. */
function forks(doc: A.Doc<Plan>): [A.Doc<Plan>, A.Doc<Plan>] {
	return [A.clone(doc, { actor: 'aa'.repeat(16) }), A.clone(doc, { actor: 'bb'.repeat(16) })];
}

describe('plan operations', () => {
	it('newPlan starts empty with no one responsible, and copies the patient', () => {
		const patient = { ...pal };
		const plan = newPlan(PATIENT, patient, { form: 'oral', givenBy: 'patient' }, nurse);
		patient.name = 'Someone else';
		expect(plan.patient.name).toBe('Pål Testesen');
		expect(plan.responsible).toEqual({ value: null, by: nurse.by, at: nurse.at });
		expect(plan.measures).toEqual({});
		expect(plan.createdAt).toBe(nurse.at);
	});

	it('adds what matters, in the patient’s words and stamped', () => {
		const doc = A.change(A.from(newPlan(PATIENT, pal, { form: 'written', givenBy: 'patient' }, nurse)), (d) => addWhatMatters(d, id(9), 'Bo hjemme lenge', 'patient', gp));
		expect(doc.whatMatters[id(9)]).toEqual({ id: id(9), text: 'Bo hjemme lenge', writtenAs: 'patient', by: gp.by, at: gp.at, status: 'active' });
	});

	it('adds and updates a diagnosis; text and code are replaced whole and stamped', () => {
		let doc = palPlan();
		expect(doc.diagnoses[GLAUCOMA]).toMatchObject({ text: 'Grønn stær', status: 'active', createdBy: nurse.by, code: glaucoma.code });
		doc = A.change(doc, (d) => updateDiagnosis(d, GLAUCOMA, { text: 'Grønn stær, begge øyne', code: null }, gp));
		expect(doc.diagnoses[GLAUCOMA]).toMatchObject({ text: 'Grønn stær, begge øyne', code: null });
		expect(doc.diagnoses[GLAUCOMA]?.textStamp).toEqual({ value: 'Grønn stær, begge øyne', by: gp.by, at: gp.at });
		expect(doc.diagnoses[GLAUCOMA]?.codeStamp).toEqual({ value: null, by: gp.by, at: gp.at });
	});

	it('deletes logically: entered-in-error keeps the diagnosis and measure', () => {
		const doc = A.change(palPlan(), (d) => {
			setDiagnosisStatus(d, GLAUCOMA, 'entered-in-error', gp);
			setMeasureStatus(d, DROPS, 'entered-in-error', gp);
		});
		expect(doc.diagnoses[GLAUCOMA]?.status).toBe('entered-in-error');
		expect(doc.diagnoses[GLAUCOMA]?.statusStamp).toEqual({ value: 'entered-in-error', by: gp.by, at: gp.at });
		expect(doc.measures[DROPS]?.status).toEqual({ value: 'entered-in-error', by: gp.by, at: gp.at });
		expect(doc.measures[DROPS]?.title).toBe('Øyedråper daglig');
	});

	it('adds, updates and sets the status of a goal', () => {
		let doc = palPlan();
		expect(doc.goals[PURPOSE]).toMatchObject({ text: 'Hindre synstap', expressedBy: nurse.by, status: { value: 'active', by: nurse.by }, addresses: [GLAUCOMA] });
		doc = A.change(doc, (d) => updateGoal(d, PURPOSE, { category: 'treatment', text: 'Hindre videre synstap', targetDate: '2027-06-01', addresses: [] }, gp));
		doc = A.change(doc, (d) => setGoalStatus(d, PURPOSE, 'completed', gp));
		expect(doc.goals[PURPOSE]).toMatchObject({ category: 'treatment', text: 'Hindre videre synstap', targetDate: '2027-06-01', addresses: [] });
		expect(doc.goals[PURPOSE]?.status).toEqual({ value: 'completed', by: gp.by, at: gp.at });
		const stamp = { by: gp.by, at: gp.at };
		expect(doc.goals[PURPOSE]).toMatchObject({ categoryStamp: { value: 'treatment', ...stamp }, targetDateStamp: { value: '2027-06-01', ...stamp }, addressesStamp: { value: [], ...stamp } });
	});

	it('adds a measure as active and replaces changed fields on update', () => {
		let doc = palPlan();
		expect(doc.measures[DROPS]).toMatchObject({ ...drops, status: { value: 'active', by: nurse.by, at: nurse.at }, comments: {}, createdAt: nurse.at });
		const changed: MeasureInput = {
			...drops,
			title: 'Øyedråper morgen',
			description: 'Se PLL, høyre øye',
			category: { kind: 'text', text: 'Øyestell' },
			timing: { kind: 'weekly', weekdays: [1, 4], times: ['08:00'] },
			performer: { kind: 'relative' },
			addresses: [],
			pllReference: null
		};
		doc = A.change(doc, (d) => updateMeasure(d, DROPS, changed, gp));
		expect(doc.measures[DROPS]).toMatchObject(changed);
		expect(doc.measures[DROPS]).toMatchObject({ titleStamp: { value: changed.title, by: gp.by }, descriptionStamp: { value: changed.description }, timingStamp: { value: changed.timing }, performerStamp: { value: changed.performer, at: gp.at } });
		const stamp = { by: gp.by, at: gp.at };
		expect(doc.measures[DROPS]).toMatchObject({ categoryStamp: { value: changed.category, ...stamp }, addressesStamp: { value: [], ...stamp }, pllReferenceStamp: { value: null, ...stamp } });
	});

	it('moves a yearly measure’s next due date and refuses it on other timings', () => {
		const doc = A.change(palPlan(), (d) => setNextDue(d, CHECK, '2026-12-10', gp));
		expect(doc.measures[CHECK]?.timingStamp).toEqual({ value: { kind: 'yearly', nextDue: '2026-12-10' }, by: gp.by, at: gp.at });
		expect(doc.measures[CHECK]?.timing).toEqual({ kind: 'yearly', nextDue: '2026-12-10' });
		expect(() => A.change(doc, (d) => setNextDue(d, DROPS, '2026-12-10', gp))).toThrow(/not yearly/);
		expect(doc.measures[DROPS]?.timing).toEqual(drops.timing);
	});

	it('adds comments on the plan and on a measure', () => {
		const doc = A.change(palPlan(), (d) => {
			addPlanComment(d, id(20), 'Datter ringer ved endring', gp);
			addMeasureComment(d, DROPS, id(21), 'Synet virker verre', nurse);
		});
		expect(doc.comments[id(20)]).toEqual({ id: id(20), text: 'Datter ringer ved endring', by: gp.by, at: gp.at, status: 'active' });
		expect(doc.measures[DROPS]?.comments[id(21)]).toMatchObject({ text: 'Synet virker verre', by: nurse.by, status: 'active' });
	});

	it('marks an entry entered in error with why, who and when, keeping its text; never without a reason', () => {
		let doc = A.change(palPlan(), (d) => {
			addWhatMatters(d, id(22), 'Bo hjemme', 'patient', nurse);
			addPlanComment(d, id(20), 'Datter ringer', nurse);
			addMeasureComment(d, DROPS, id(21), 'Svir', nurse);
		});
		doc = A.change(doc, (d) => {
			markEnteredInError(d, { kind: 'what-matters', id: id(22) }, ' Feil pasient ', gp);
			markEnteredInError(d, { kind: 'plan-comment', id: id(20) }, 'Feil pasient', gp);
			markEnteredInError(d, { kind: 'measure-comment', measureId: DROPS, id: id(21) }, 'Feil tiltak', gp);
		});
		expect(doc.whatMatters[id(22)]).toMatchObject({ text: 'Bo hjemme', by: nurse.by, status: 'entered-in-error', errorStamp: { by: gp.by, at: gp.at, reason: 'Feil pasient' } });
		expect(doc.comments[id(20)]).toMatchObject({ text: 'Datter ringer', status: 'entered-in-error', errorStamp: { by: gp.by } });
		expect(doc.measures[DROPS]?.comments[id(21)]).toMatchObject({ text: 'Svir', status: 'entered-in-error', errorStamp: { reason: 'Feil tiltak' } });
		expect(() => A.change(doc, (d) => markEnteredInError(d, { kind: 'plan-comment', id: id(20) }, '  ', gp))).toThrow(/needs a reason/);
		expect(() => A.change(doc, (d) => markEnteredInError(d, { kind: 'plan-comment', id: id(99) }, 'x', gp))).toThrow(/unknown comment/);
	});

	it('offers to mark an entry in error to its author, any clinician, and a patient or proxy on a patient’s or proxy’s entry; once', () => {
		const patient = { id: 'pal', name: 'Pål Testesen', role: 'patient' as const, organisation: null };
		const daughter = { id: 'kari-d', name: 'Kari Testesen', role: 'relative' as const, organisation: null };
		const doc = A.change(palPlan(), (d) => {
			addWhatMatters(d, id(22), 'Bo hjemme', 'patient', { by: patient, at: nurse.at });
			addPlanComment(d, id(20), 'Datter ringer', nurse);
			addPlanComment(d, id(23), 'Feil dag', { ...nurse, at: '2026-11-26T06:00:00.000Z' });
			markEnteredInError(d, { kind: 'plan-comment', id: id(23) }, 'Feil pasient', gp);
		});
		const patients = doc.whatMatters[id(22)]!;
		const nurses = doc.comments[id(20)]!;
		expect([nurse.by, gp.by, patient, daughter, null].map((by) => mayMarkInError(nurses, by))).toEqual([true, true, false, false, false]);
		expect([nurse.by, gp.by, patient, daughter].map((by) => mayMarkInError(patients, by))).toEqual([true, true, true, true]);
		expect(mayMarkInError(doc.comments[id(23)]!, gp.by)).toBe(false);
		// The marked entry stays in the list, in the order written.
		expect(entriesInOrder(doc.comments).map((c) => [c.id, c.status])).toEqual([
			[id(23), 'entered-in-error'],
			[id(20), 'active']
		]);
	});

	it('puts a guidance level with whom to call, stamped, and replaces it whole on an edit', () => {
		const yellow = { level: 'yellow' as const, signs: 'Røde øyne', action: 'Ring samme dag', contact: { name: 'Bodø legesenter', phone: '75123456' } };
		let doc = A.change(palPlan(), (d) => putContactGuidance(d, id(30), yellow, nurse));
		expect(doc.contactGuidance[id(30)]).toEqual({ id: id(30), ...yellow, status: 'active', by: nurse.by, at: nurse.at });
		const red = { level: 'red' as const, signs: 'Plutselig synstap', action: 'Ring straks', contact: { name: 'AMK', phone: '113' } };
		doc = A.change(doc, (d) => putContactGuidance(d, id(30), red, gp));
		expect(doc.contactGuidance[id(30)]).toEqual({ id: id(30), ...red, status: 'active', by: gp.by, at: gp.at });
	});

	it('ends a guidance level: kept, marked ended, with who and when', () => {
		const green = { level: 'green' as const, signs: 'Som vanlig', action: 'Fortsett', contact: { name: 'Hjemmetjenesten Rana', phone: '41234567' } };
		let doc = A.change(palPlan(), (d) => putContactGuidance(d, id(31), green, nurse));
		doc = A.change(doc, (d) => endContactGuidance(d, id(31), gp));
		expect(doc.contactGuidance[id(31)]).toEqual({ id: id(31), ...green, status: 'ended', by: gp.by, at: gp.at });
	});

	it('ends a level of an older plan, keeping its line of text', () => {
		const legacy = { id: id(32), level: 'red' as const, signs: 'Synstap', action: 'Ring', contact: 'Legevakten 116 117' };
		let doc = A.change(palPlan(), (d) => {
			d.contactGuidance[id(32)] = legacy;
		});
		doc = A.change(doc, (d) => endContactGuidance(d, id(32), nurse));
		expect(doc.contactGuidance[id(32)]).toEqual({ ...legacy, status: 'ended', by: nurse.by, at: nurse.at });
	});

	it('adds a care team member and makes them responsible', () => {
		let doc = A.change(palPlan(), (d) => addCareTeamMember(d, MEMBER, { name: 'Kari Sykepleier', role: 'coordinator', organisation: 'Rana kommune' }, gp));
		expect(doc.careTeam[MEMBER]).toMatchObject({ name: 'Kari Sykepleier', role: 'coordinator', active: true, addedBy: gp.by, addedAt: gp.at });
		doc = A.change(doc, (d) => setResponsible(d, MEMBER, gp));
		expect(doc.responsible).toEqual({ value: MEMBER, by: gp.by, at: gp.at });
	});

	it('throws on unknown items and leaves the document unchanged', () => {
		const doc = palPlan();
		const unknown = id(99);
		expect(() => A.change(doc, (d) => setResponsible(d, unknown, gp))).toThrow(/unknown care team member/);
		expect(() => A.change(doc, (d) => updateMeasure(d, unknown, drops, gp))).toThrow(/unknown measure/);
		expect(() => A.change(doc, (d) => setMeasureStatus(d, unknown, 'on-hold', gp))).toThrow(/unknown measure/);
		expect(() => A.change(doc, (d) => setNextDue(d, unknown, '2027-01-01', gp))).toThrow(/unknown measure/);
		expect(() => A.change(doc, (d) => addMeasureComment(d, unknown, id(98), 'x', gp))).toThrow(/unknown measure/);
		expect(() => A.change(doc, (d) => updateGoal(d, unknown, purpose, gp))).toThrow(/unknown goal/);
		expect(() => A.change(doc, (d) => setGoalStatus(d, unknown, 'active', gp))).toThrow(/unknown goal/);
		expect(() => A.change(doc, (d) => updateDiagnosis(d, unknown, glaucoma, gp))).toThrow(/unknown diagnosis/);
		expect(() => A.change(doc, (d) => setDiagnosisStatus(d, unknown, 'resolved', gp))).toThrow(/unknown diagnosis/);
		expect(() => A.change(doc, (d) => endContactGuidance(d, unknown, gp))).toThrow(/unknown guidance level/);
		expect(doc.responsible.value).toBeNull();
		expect(Object.keys(doc.measures)).toHaveLength(2);
	});
});

describe('concurrent edits on two devices', () => {
	it('keep both measures added offline', () => {
		const [a, b] = forks(palPlan());
		const a2 = A.change(a, (d) => addMeasure(d, id(40), { ...drops, title: 'Blodtrykk' }, nurse));
		const b2 = A.change(b, (d) => addMeasure(d, id(41), { ...drops, title: 'Gåtur' }, gp));
		const merged = A.merge(a2, b2);
		expect(merged.measures[id(40)]?.title).toBe('Blodtrykk');
		expect(merged.measures[id(41)]?.title).toBe('Gåtur');
		expect(Object.keys(merged.measures)).toHaveLength(4);
	});

	it('never mix two rewrites of a measure title, a goal or a diagnosis: one version reads, both are kept', () => {
		const [a, b] = forks(palPlan());
		const a2 = A.change(a, (d) => {
			updateMeasure(d, DROPS, { ...drops, title: 'Øyedråper daglig kl 08' }, nurse);
			updateGoal(d, PURPOSE, { ...purpose, text: 'Hindre synstap og fall' }, nurse);
			updateDiagnosis(d, GLAUCOMA, { ...glaucoma, text: 'Grønn stær, høyre' }, nurse);
		});
		const b2 = A.change(b, (d) => {
			updateMeasure(d, DROPS, { ...drops, title: 'Gi øyedråper daglig' }, gp);
			updateGoal(d, PURPOSE, { ...purpose, text: 'Sakte: hindre synstap' }, gp);
			updateDiagnosis(d, GLAUCOMA, { ...glaucoma, text: 'Kronisk grønn stær' }, gp);
		});
		const merged = A.merge(a2, b2);
		expect(['Øyedråper daglig kl 08', 'Gi øyedråper daglig']).toContain(merged.measures[DROPS]?.title);
		expect(['Hindre synstap og fall', 'Sakte: hindre synstap']).toContain(merged.goals[PURPOSE]?.text);
		expect(['Grønn stær, høyre', 'Kronisk grønn stær']).toContain(merged.diagnoses[GLAUCOMA]?.text);
		const authors = Object.values(A.getConflicts(merged.goals[PURPOSE]!, 'textStamp') ?? {}).map((s) => (s as { by: { name: string } }).by.name);
		expect(authors.sort()).toEqual([gp.by.name, nurse.by.name].sort());
	});

	it('leave untouched fields alone, so one device’s timing and the other’s title both survive', () => {
		const [a, b] = forks(palPlan());
		const a2 = A.change(a, (d) => updateMeasure(d, DROPS, { ...drops, title: 'Øyedråper daglig (Xalatan)' }, nurse));
		const b2 = A.change(b, (d) => updateMeasure(d, DROPS, { ...drops, timing: { kind: 'daily', times: ['09:00'] } }, gp));
		const merged = A.merge(a2, b2);
		expect(merged.measures[DROPS]?.title).toBe('Øyedråper daglig (Xalatan)');
		expect(merged.measures[DROPS]?.timing).toEqual({ kind: 'daily', times: ['09:00'] });
		expect(A.getConflicts(merged.measures[DROPS]!, 'timing')).toBeUndefined();
	});

	it('keep the nurse’s comment, the eye doctor’s new date and the GP’s purpose edit', () => {
		const [nurseDoc, clinicDoc] = forks(palPlan());
		const n2 = A.change(nurseDoc, (d) => addMeasureComment(d, DROPS, id(50), 'Synet virker verre', nurse));
		const c2 = A.change(clinicDoc, (d) => {
			setNextDue(d, CHECK, '2026-12-10', eyeDoctor);
			updateGoal(d, PURPOSE, { ...purpose, text: 'Hindre videre synstap' }, eyeDoctor);
		});
		const merged = A.merge(n2, c2);
		expect(merged.measures[DROPS]?.comments[id(50)]?.text).toBe('Synet virker verre');
		expect(merged.measures[CHECK]?.timing).toEqual({ kind: 'yearly', nextDue: '2026-12-10' });
		expect(merged.goals[PURPOSE]?.text).toBe('Hindre videre synstap');
	});

	it('keep two concurrent edits of one guidance level as two whole versions, never a mix of both texts', () => {
		const base = { level: 'yellow' as const, signs: 'Røde øyne', action: 'Ring', contact: { name: 'Hjemmetjenesten Rana', phone: '41234567' } };
		const [a, b] = forks(A.change(palPlan(), (d) => putContactGuidance(d, id(60), base, nurse)));
		const a2 = A.change(a, (d) => putContactGuidance(d, id(60), { ...base, action: 'Ring fastlegen samme dag' }, gp));
		const b2 = A.change(b, (d) => putContactGuidance(d, id(60), { ...base, action: 'Si fra ved neste besøk' }, nurse));
		const merged = A.merge(a2, b2);
		const versions = Object.values(A.getConflicts(merged.contactGuidance, id(60)) ?? {}) as { action: string; by: { name: string } }[];
		expect(versions.map((v) => `${v.action} (${v.by.name})`).sort()).toEqual(['Ring fastlegen samme dag (Ola Fastlege)', 'Si fra ved neste besøk (Kari Sykepleier)']);
		expect(['Ring fastlegen samme dag', 'Si fra ved neste besøk']).toContain(merged.contactGuidance[id(60)]?.action);
	});

	it('leave concurrent measure statuses visible as a conflict', () => {
		const [a, b] = forks(palPlan());
		const a2 = A.change(a, (d) => setMeasureStatus(d, DROPS, 'on-hold', nurse));
		const b2 = A.change(b, (d) => setMeasureStatus(d, DROPS, 'completed', eyeDoctor));
		const merged = A.merge(a2, b2);
		const conflicts = A.getConflicts(merged.measures[DROPS]!, 'status');
		expect(conflicts).toBeDefined();
		const values = Object.values(conflicts!).map((s) => (s as { value: string; by: { name: string } }).value);
		expect(values.sort()).toEqual(['completed', 'on-hold']);
		expect(['completed', 'on-hold']).toContain(merged.measures[DROPS]?.status.value);
		expect(A.merge(b2, a2).measures[DROPS]?.status.value).toBe(merged.measures[DROPS]?.status.value);
	});
});
