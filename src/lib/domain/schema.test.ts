import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { demoDocuments, demoPatients, pal, ranaCaseload, syntheticPatients, withEditHistory } from '$lib/fixtures';
import { logDocId, planDocId, type ItemId, type Month, type PatientId } from './ids';
import { newMeasureLog, recordMeasure, correctRecord } from './measure-log';
import type { MeasureLog, Plan } from './plan';
import { markEnteredInError, setDiagnosisStatus, updateGoal, updateMeasure } from './plan-ops';
import { documentProblem, inputProblem, LIMITS, logProblem, planProblem } from './schema';

const AT = '2026-11-20T09:00:00.000Z';
const by = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Kari Nordmann', role: 'home-care' as const, organisation: 'Hjemmetjenesten Rana', hpr: null };
const eyeDrops = pal.measures.eyeDrops;
const palPlan = () => structuredClone(pal.plan) as Plan;
/** Pål's plan with one change made to a copy, as a device might have written it. */
const palWith = (edit: (p: Record<string, any>) => void): unknown => {
	const p = palPlan();
	edit(p);
	return p;
};

/**
 * Pål's plan as stored before stamps, guidance names and phones, guidance status, privacy choices,
 * care-team user ids and person ids existed.
 */
function legacyPlan(): unknown {
	const p = palPlan() as Record<string, any>;
	delete p.privacy;
	for (const m of Object.values<any>(p.careTeam)) delete m.personId;
	for (const g of Object.values<any>(p.contactGuidance)) {
		delete g.status;
		delete g.by;
		delete g.at;
	}
	for (const m of Object.values<any>(p.measures)) for (const f of ['titleStamp', 'descriptionStamp', 'timingStamp', 'performerStamp']) delete m[f];
	return p;
}

const { eyeClinicReport, dropsGivenByHomeCare: dropsGiven } = pal.comments;
const { livingAtHome } = pal.whatMatters;
const inError = (entry: object, errorStamp: unknown) => ({ ...entry, status: 'entered-in-error', errorStamp });

describe('the plan schema', () => {
	it('takes every demo plan, generated plans and the Rana caseload', () => {
		for (const p of demoPatients) expect(planProblem(p.plan), p.patient.name).toBeNull();
		for (const p of syntheticPatients(200)) expect(planProblem(p.plan)).toBeNull();
		for (const d of ranaCaseload(20)) expect(documentProblem({ kind: 'plan', patientId: d.patientId }, d.doc)).toBeNull();
	});

	it('takes a plan with two years of edits, as an Automerge document', () => {
		const [first] = demoDocuments();
		const doc = withEditHistory(first!.doc, 150);
		expect(documentProblem({ kind: 'plan', patientId: pal.patientId }, doc)).toBeNull();
	});

	it('takes plans stored before stamps, guidance phones and status, privacy and care-team ids existed', () => {
		expect(planProblem(legacyPlan())).toBeNull();
		// Guidance as the demo keeps it: one line of text to call.
		expect(typeof pal.plan.contactGuidance[pal.contactGuidance.red]!.contact).toBe('string');
		// Stamps with the stable id and HPR number people are getting, and without.
		const stamped = palWith((p) => (p.measures[eyeDrops].status.by = { ...by, id: 'user-17', hpr: '9144889' }));
		expect(planProblem(stamped)).toBeNull();
		expect(planProblem(palWith((p) => (p.measures[eyeDrops].status.by = { ...by, hpr: null })))).toBeNull();
	});

	it.each([
		['a title that is a number', (p: any) => (p.measures[eyeDrops].title = 42), `measures.${eyeDrops}.title`],
		['an unknown measure status', (p: any) => (p.measures[eyeDrops].status.value = 'paused'), `measures.${eyeDrops}.status.value`],
		['a title beyond its limit', (p: any) => (p.measures[eyeDrops].title = 'x'.repeat(LIMITS.title + 1)), `measures.${eyeDrops}.title`],
		['a malformed item id as key', (p: any) => (p.comments['c-1'] = { ...Object.values<any>(p.comments)[0], id: 'c-1' }), 'comments.c-1'],
		['an item whose id is not its key', (p: any) => (p.goals[pal.goals.purpose].id = pal.goals.eyePressure), `goals.${pal.goals.purpose}.id`],
		['a goal addressing a diagnosis that does not exist', (p: any) => p.goals[pal.goals.purpose].addresses.push(pal.measures.annualEyeCheck), `goals.${pal.goals.purpose}.addresses.1`],
		['a measure addressing nothing in the plan', (p: any) => (p.measures[eyeDrops].addresses = ['00000000-0000-4000-8000-000000000000']), `measures.${eyeDrops}.addresses.0`],
		['a responsible who is not on the care team', (p: any) => (p.responsible.value = pal.diagnoses.glaucoma), 'responsible.value'],
		['a time of day that is not one', (p: any) => (p.measures[eyeDrops].timing = { kind: 'daily', times: ['25:00'] }), `measures.${eyeDrops}.timing.times.0`],
		['an unknown timing', (p: any) => (p.measures[eyeDrops].timing = { kind: 'monthly' }), `measures.${eyeDrops}.timing.kind`],
		['a guidance phone that is not a Norwegian number', (p: any) => (p.contactGuidance[pal.contactGuidance.red].contact = { name: 'AMK', phone: '+4711' }), `contactGuidance.${pal.contactGuidance.red}.contact`],
		['a stamp by an unknown role', (p: any) => (p.responsible.by.role = 'admin'), 'responsible.by.role'],
		['a missing careTeam', (p: any) => delete p.careTeam, 'careTeam'],
		['a wrong schema version', (p: any) => (p.schema = 2), 'schema'],
		['an error mark without a reason', (p: any) => (p.comments[eyeClinicReport] = inError(p.comments[eyeClinicReport], { by, at: AT, reason: '  ' })), `comments.${eyeClinicReport}.errorStamp.reason`],
		['an error mark by nobody', (p: any) => (p.whatMatters[livingAtHome] = inError(p.whatMatters[livingAtHome], { by: null, at: AT, reason: 'Feil pasient' })), `whatMatters.${livingAtHome}.errorStamp.by`],
		['an error mark with a reason beyond its limit', (p: any) => (p.measures[eyeDrops].comments[dropsGiven] = inError(p.measures[eyeDrops].comments[dropsGiven], { by, at: AT, reason: 'x'.repeat(LIMITS.text + 1) })), `measures.${eyeDrops}.comments.${dropsGiven}.errorStamp.reason`],
		['an error mark at no time', (p: any) => (p.comments[eyeClinicReport] = inError(p.comments[eyeClinicReport], { by, at: 'i går', reason: 'Feil pasient' })), `comments.${eyeClinicReport}.errorStamp.at`],
		['a diagnosis status stamp of an unknown status', (p: any) => (p.diagnoses[pal.diagnoses.glaucoma].statusStamp = { value: 'cured', by, at: AT }), `diagnoses.${pal.diagnoses.glaucoma}.statusStamp.value`],
		['a goal category stamp of an unknown category', (p: any) => (p.goals[pal.goals.purpose].categoryStamp = { value: 'wish', by, at: AT }), `goals.${pal.goals.purpose}.categoryStamp.value`],
		['a goal target date stamp that is not a date', (p: any) => (p.goals[pal.goals.purpose].targetDateStamp = { value: '2027-13-01', by, at: AT }), `goals.${pal.goals.purpose}.targetDateStamp.value`],
		['a goal addresses stamp without its author', (p: any) => (p.goals[pal.goals.purpose].addressesStamp = { value: [], at: AT }), `goals.${pal.goals.purpose}.addressesStamp.by`],
		['a measure category stamp of an unknown kind', (p: any) => (p.measures[eyeDrops].categoryStamp = { value: { kind: 'icd' }, by, at: AT }), `measures.${eyeDrops}.categoryStamp.value.kind`],
		['a measure addresses stamp of a malformed id', (p: any) => (p.measures[eyeDrops].addressesStamp = { value: ['d-1'], by, at: AT }), `measures.${eyeDrops}.addressesStamp.value.0`],
		['a PLL reference stamp beyond its limit', (p: any) => (p.measures[eyeDrops].pllReferenceStamp = { value: 'x'.repeat(LIMITS.title + 1), by, at: AT }), `measures.${eyeDrops}.pllReferenceStamp.value`]
	])('refuses %s, naming its path', (_what, edit, path) => {
		expect(planProblem(palWith(edit))).toBe(path);
	});

	it('takes entries marked entered in error and every per-field stamp, as the operations write them', () => {
		const p = palPlan();
		const ctx = { by, at: AT };
		markEnteredInError(p, { kind: 'plan-comment', id: eyeClinicReport }, 'Gjaldt en annen pasient', ctx);
		markEnteredInError(p, { kind: 'measure-comment', measureId: eyeDrops, id: dropsGiven }, 'Feil tiltak', ctx);
		markEnteredInError(p, { kind: 'what-matters', id: livingAtHome }, 'Misforstått', ctx);
		setDiagnosisStatus(p, pal.diagnoses.glaucoma, 'resolved', ctx);
		const goal = p.goals[pal.goals.eyePressure]!;
		updateGoal(p, goal.id, { category: 'purpose', text: goal.text, targetDate: '2027-06-01', addresses: [] }, ctx);
		const m = p.measures[eyeDrops]!;
		updateMeasure(p, eyeDrops, { title: m.title, description: m.description, category: { kind: 'text', text: 'Øyedråper' }, timing: m.timing, performer: m.performer, addresses: [], pllReference: 'PLL 3' }, ctx);
		expect([goal.categoryStamp, goal.targetDateStamp, goal.addressesStamp, m.categoryStamp, m.addressesStamp, m.pllReferenceStamp].every(Boolean)).toBe(true);
		expect(p.diagnoses[pal.diagnoses.glaucoma]!.statusStamp?.value).toBe('resolved');
		expect(planProblem(p)).toBeNull();
	});

	it('refuses what is not a plan at all, and a plan of another patient', () => {
		expect(planProblem(null)).toBe('(document)');
		expect(planProblem('plan')).toBe('(document)');
		const other = '00000000-0000-4000-8000-00000000000a' as PatientId;
		expect(documentProblem({ kind: 'plan', patientId: other }, pal.plan)).toBe('patientId');
		expect(documentProblem({ kind: 'plan', patientId: pal.patientId }, pal.plan)).toBeNull();
		expect(planDocId(pal.patientId)).toContain(pal.patientId);
	});
});

describe('the measure log schema', () => {
	const month = '2026-11' as Month;
	const first = '00000000-0000-4000-8000-000000000101' as ItemId;
	const second = '00000000-0000-4000-8000-000000000102' as ItemId;
	const log = (): MeasureLog => {
		const l = newMeasureLog(pal.patientId, month);
		recordMeasure(l, first, { outcome: 'not-done', measureId: eyeDrops, at: AT, slot: '08:00', note: '', reason: 'Sov' }, { by, at: AT });
		return l;
	};

	it('takes a log with records and corrections', () => {
		const l = log();
		correctRecord(l, second, first, { outcome: 'done', at: AT, note: 'Gitt likevel', reason: null, correctionReason: 'Feil knapp' }, { by, at: AT });
		expect(logProblem(l)).toBeNull();
		expect(documentProblem({ kind: 'log', patientId: pal.patientId, month }, l)).toBeNull();
		expect(logDocId(pal.patientId, month)).toContain(month);
	});

	it.each([
		['a slot that is not a time', (l: any) => (l.entries[first].slot = '8'), `entries.${first}.slot`],
		['an unknown outcome', (l: any) => (l.entries[first].outcome = 'maybe'), `entries.${first}.outcome`],
		['a note beyond its limit', (l: any) => (l.entries[first].note = 'x'.repeat(LIMITS.text + 1)), `entries.${first}.note`],
		['a correction of a record not in the log', (l: any) => (l.entries[first].corrects = second), `entries.${first}.corrects`],
		['a time that is not an instant', (l: any) => (l.entries[first].recordedAt = 'i går'), `entries.${first}.recordedAt`]
	])('refuses %s, naming its path', (_what, edit, path) => {
		const l = log();
		edit(l);
		expect(logProblem(l)).toBe(path);
	});

	it('refuses a log kept under another month', () => {
		expect(documentProblem({ kind: 'log', patientId: pal.patientId, month: '2026-12' as Month }, log())).toBe('month');
	});
});

describe('the forms’ inputs', () => {
	it('are checked by the same parts of the schema', () => {
		expect(inputProblem('diagnosis', { text: 'Demens', code: null })).toBeNull();
		expect(inputProblem('diagnosis', { text: 'x'.repeat(LIMITS.title + 1), code: null })).toBe('text');
		expect(inputProblem('guidance', { level: 'red', signs: 'Brystsmerter', action: 'Ring 113', contact: { name: 'AMK', phone: '113' } })).toBeNull();
		expect(inputProblem('guidance', { level: 'red', signs: 'Brystsmerter', action: 'Ring 113', contact: { name: 'AMK', phone: '' } })).toBe('contact.phone');
	});

	it('agree with the register on an Automerge document written from them', () => {
		const doc = Automerge.from(palPlan() as unknown as Record<string, unknown>);
		expect(planProblem(doc)).toBeNull();
	});
});
