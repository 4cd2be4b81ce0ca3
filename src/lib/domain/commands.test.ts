import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { clinicians, pal } from '../fixtures';
import { parseCommand } from './command-schema';
import { apply, commitMessage, documentOf, isLogCommand, type Command, type PlanCommand } from './commands';
import { planConflicts } from './conflicts';
import { genesis } from './genesis';
import { logDocId, planDocId, type ItemId, type Month } from './ids';
import type { MeasureInput } from './inputs';
import { newMeasureLog, recordMeasure } from './measure-log';
import type { Context, Plan } from './plan';
import { actorOf } from './person';
import { addMeasureComment, setDiagnosisStatus, setMeasureStatus, updateDiagnosis } from './plan-ops';

const AT = '2026-11-20T09:00:00.000Z';
const nurse: Context = { by: actorOf(clinicians.ranaNurse), at: AT };
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` as ItemId;
const walk: MeasureInput = {
	title: 'Kveldstur med nabo',
	description: '',
	category: { kind: 'text', text: 'Fysisk aktivitet' },
	timing: { kind: 'weekly', weekdays: [1, 4], times: ['18:00'] },
	performer: { kind: 'relative' },
	addresses: [pal.diagnoses.dementia],
	pllReference: null
};
const plan = (): Plan => structuredClone(pal.plan) as Plan;

/** One command of every kind the tablet makes, each valid on Pål's plan (log commands on an empty month). */
const everyCommand: Command[] = [
	{ type: 'add-what-matters', id: id(1), text: 'Å gå tur med hunden', writtenAs: 'clinician-on-behalf' },
	{ type: 'add-diagnosis', id: id(2), input: { text: 'Diabetes type 2', code: { system: 'ICD-10', code: 'E11', display: null } } },
	{ type: 'update-diagnosis', id: pal.diagnoses.glaucoma, input: { text: 'Grønn stær, begge øyne', code: null }, status: 'resolved' },
	{ type: 'add-goal', id: id(3), input: { category: 'treatment', text: 'Stabilt øyetrykk', targetDate: '2027-06-01', addresses: [pal.diagnoses.glaucoma] } },
	{ type: 'update-goal', id: pal.goals.eyePressure, input: { category: 'treatment', text: 'Øyetrykk under 21', targetDate: null, addresses: [] }, status: 'on-hold' },
	{ type: 'add-measure', id: id(4), input: walk },
	{ type: 'update-measure', id: pal.measures.eyeDrops, input: walk },
	{ type: 'set-measure-status', id: pal.measures.eyeDrops, status: 'on-hold' },
	{ type: 'set-next-due', id: pal.measures.annualEyeCheck, date: '2027-01-15' },
	{ type: 'add-plan-comment', id: id(5), text: 'Ringte datteren.' },
	{ type: 'add-measure-comment', measureId: pal.measures.eyeDrops, id: id(6), text: 'Synet virker dårligere.' },
	{ type: 'mark-entered-in-error', place: { kind: 'measure-comment', measureId: pal.measures.eyeDrops, id: pal.comments.dropsGivenByHomeCare }, reason: 'Gjaldt en annen pasient' },
	{ type: 'put-contact-guidance', id: pal.contactGuidance.yellow, input: { level: 'yellow', signs: 'Røde øyne', action: 'Ring fastlegen', contact: { name: 'Fastlegen', phone: '75123456' } } },
	{ type: 'end-contact-guidance', id: pal.contactGuidance.green },
	{ type: 'add-care-team-member', id: id(7), member: { name: 'Kari Nordmann', role: 'specialist', organisation: 'UNN', personId: 'kari-unn' } },
	{ type: 'end-care-team-membership', id: pal.careTeam.eyeDoctor },
	{ type: 'set-responsible', memberId: pal.careTeam.nurse },
	{ type: 'block-clinician', id: id(8), clinician: { personId: 'kari-unn', name: 'Kari Nordmann', organisation: 'UNN' } },
	{ type: 'set-restricted', restricted: true },
	{ type: 'record-visit', id: id(9), record: { outcome: 'not-done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '', reason: 'Sov' } }
];

describe('commands', () => {
	it('apply does what the operation it names does', () => {
		const byCommand = plan();
		apply(byCommand, { type: 'update-diagnosis', id: pal.diagnoses.glaucoma, input: { text: 'Grønn stær', code: null }, status: 'resolved' }, nurse);
		apply(byCommand, { type: 'set-measure-status', id: pal.measures.eyeDrops, status: 'completed' }, nurse);
		apply(byCommand, { type: 'add-measure-comment', measureId: pal.measures.eyeDrops, id: id(1), text: 'Sett' }, nurse);
		const byHand = plan();
		updateDiagnosis(byHand, pal.diagnoses.glaucoma, { text: 'Grønn stær', code: null }, nurse);
		setDiagnosisStatus(byHand, pal.diagnoses.glaucoma, 'resolved', nurse);
		setMeasureStatus(byHand, pal.measures.eyeDrops, 'completed', nurse);
		addMeasureComment(byHand, pal.measures.eyeDrops, id(1), 'Sett', nurse);
		expect(byCommand).toEqual(byHand);

		const log = newMeasureLog(pal.patientId, '2026-11' as Month);
		const record = { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '' } as const;
		apply(log, { type: 'record-visit', id: id(2), record }, nurse);
		const expected = newMeasureLog(pal.patientId, '2026-11' as Month);
		recordMeasure(expected, id(2), record, nurse);
		expect(log).toEqual(expected);
	});

	it('marks a comment or "what matters" entry entered in error, stamped with who, when and why, its text kept', () => {
		const gp: Context = { by: actorOf(clinicians.bodoGp), at: '2026-11-21T10:00:00.000Z' };
		const p = plan();
		apply(p, { type: 'mark-entered-in-error', place: { kind: 'plan-comment', id: pal.comments.eyeClinicReport }, reason: ' Gjaldt en annen pasient ' }, gp);
		apply(p, { type: 'mark-entered-in-error', place: { kind: 'what-matters', id: pal.whatMatters.grandchildren }, reason: 'Misforstått' }, gp);
		const comment = p.comments[pal.comments.eyeClinicReport]!;
		expect(comment).toEqual({ ...pal.plan.comments[pal.comments.eyeClinicReport], status: 'entered-in-error', errorStamp: { by: gp.by, at: gp.at, reason: 'Gjaldt en annen pasient' } });
		expect(p.whatMatters[pal.whatMatters.grandchildren]).toMatchObject({ text: 'Å se barnebarna mine', status: 'entered-in-error', errorStamp: { reason: 'Misforstått' } });
		expect(p.whatMatters[pal.whatMatters.livingAtHome]?.status).toBe('active');
	});

	it('leaves a status alone when an edit does not give one', () => {
		const p = plan();
		apply(p, { type: 'update-goal', id: pal.goals.eyePressure, input: { category: 'treatment', text: 'Nytt mål', targetDate: null, addresses: [] } }, nurse);
		expect(p.goals[pal.goals.eyePressure]?.status).toEqual(pal.plan.goals[pal.goals.eyePressure]?.status);
		expect(p.goals[pal.goals.eyePressure]?.text).toBe('Nytt mål');
	});

	it('sets a measure’s status with its other fields in one update, as for diagnoses and goals (one FHIR PUT, one change)', () => {
		const p = plan();
		const command = { type: 'update-measure', id: pal.measures.eyeDrops, input: walk, status: 'on-hold' } as const;
		expect(parseCommand(JSON.parse(JSON.stringify(command)))).toEqual({ ok: true, command });
		apply(p, command, nurse);
		expect(p.measures[pal.measures.eyeDrops]).toMatchObject({ title: walk.title, status: { value: 'on-hold', by: nurse.by, at: AT } });
	});

	it('does not stamp a value again that is the same but for the order of its keys (a stored map lists them sorted)', () => {
		const p = plan();
		const m = p.measures[pal.measures.annualEyeCheck]!;
		const performer = Object.fromEntries(Object.entries(m.performer).reverse()) as typeof m.performer;
		apply(p, { type: 'update-measure', id: m.id, input: { title: m.title, description: m.description, category: m.category, timing: m.timing, performer, addresses: [...m.addresses], pllReference: m.pllReference } }, nurse);
		expect(p.measures[m.id]?.performerStamp).toBeUndefined();
	});

	it('every command survives JSON, passes its shape check, and applies in one change named after it', () => {
		const planDoc = genesis(planDocId(pal.patientId), plan());
		const logDoc = genesis(logDocId(pal.patientId, '2026-11' as Month), newMeasureLog(pal.patientId, '2026-11' as Month));
		for (const command of everyCommand) {
			const sent: unknown = JSON.parse(JSON.stringify(command));
			expect(parseCommand(sent)).toEqual({ ok: true, command });
			const changed: A.Doc<unknown> = isLogCommand(command)
				? A.change(A.clone(logDoc), { message: commitMessage(command) }, (l) => apply(l, command, nurse))
				: A.change(A.clone(planDoc), { message: commitMessage(command) }, (p) => apply(p, command, nurse));
			expect(A.decodeChange(A.getLastLocalChange(changed)!).message).toBe(command.type);
		}
	});

	it('resolves a conflict from the versions the clinician saw, sent as data', () => {
		const base = genesis(planDocId(pal.patientId), plan());
		const a = A.change(A.clone(base), (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', nurse));
		const b = A.change(A.clone(base), (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'completed', { ...nurse, at: '2026-11-20T10:00:00.000Z' }));
		const merged = A.merge(a, b);
		const [conflict] = planConflicts(merged);
		const command = parseCommand(JSON.parse(JSON.stringify({ type: 'resolve-conflict', conflict, resolution: { choose: 1 } })));
		if (!command.ok || command.command.type !== 'resolve-conflict') throw new Error(`refused: ${JSON.stringify(command)}`);
		const resolved = A.change(merged, (p) => apply(p, command.command as PlanCommand, nurse));
		expect(planConflicts(resolved)).toEqual([]);
		expect(resolved.measures[pal.measures.eyeDrops]?.status.value).toBe('completed');
	});

	it('goes in the log of the month it is about, in Oslo time', () => {
		const lateNovember = { type: 'record-visit', id: id(1), record: { outcome: 'done', measureId: pal.measures.eyeDrops, at: '2026-11-30T23:30:00.000Z', slot: null, note: '' } } as const;
		expect(documentOf(pal.patientId, lateNovember)).toBe(logDocId(pal.patientId, '2026-12' as Month));
		expect(documentOf(pal.patientId, everyCommand[0]!)).toBe(planDocId(pal.patientId));
	});

	it('refuses a command of the wrong shape, naming the field', () => {
		const refused = (value: unknown) => {
			const parsed = parseCommand(value);
			return parsed.ok ? 'accepted' : parsed.path;
		};
		expect(refused({ type: 'add-measure', id: id(1), input: { ...walk, title: 42 } })).toBe('input.title');
		expect(refused({ type: 'add-measure', id: id(1), input: { ...walk, title: 'x'.repeat(201) } })).toBe('input.title');
		expect(refused({ type: 'add-measure', id: id(1), input: { ...walk, timing: { kind: 'weekly', weekdays: [8], times: [] } } })).toBe('input.timing.weekdays.0');
		expect(refused({ type: 'add-plan-comment', id: 'not-an-id', text: 'Hei' })).toBe('id');
		expect(refused({ type: 'add-plan-comment', id: id(1), text: '   ' })).toBe('text');
		expect(refused({ type: 'add-plan-comment', id: id(1), text: 'Hei', by: { name: 'Fastlegen' } })).toBe('by');
		expect(refused({ type: 'delete-plan' })).toBe('type');
		const place = { kind: 'plan-comment', id: pal.comments.eyeClinicReport };
		expect(refused({ type: 'mark-entered-in-error', place, reason: '  ' })).toBe('reason');
		expect(refused({ type: 'mark-entered-in-error', place, reason: 'x'.repeat(4001) })).toBe('reason');
		expect(refused({ type: 'mark-entered-in-error', place: { kind: 'diagnosis', id: pal.diagnoses.glaucoma }, reason: 'Feil' })).toBe('place.kind');
		expect(refused({ type: 'mark-entered-in-error', place: { kind: 'measure-comment', id: pal.comments.dropsGivenByHomeCare }, reason: 'Feil' })).toBe('place.measureId');
		expect(refused({ type: 'mark-entered-in-error', place, reason: 'Feil', errorStamp: { by: { name: 'Fastlegen' } } })).toBe('errorStamp');
		expect(refused({ type: 'resolve-conflict', conflict: { path: 'responsible', area: 'plan', item: null, field: 'title', versions: [] }, resolution: { choose: 0 } })).toBe('conflict.field');
		expect(refused({ type: 'record-visit', id: id(1), record: { outcome: 'not-done', measureId: pal.measures.eyeDrops, at: AT, slot: null, note: '' } })).toBe('record.reason');
		expect(refused({ type: 'add-plan-comment', id: id(1), text: 'x'.repeat(70_000) })).toBe('');
		expect(refused(null)).toBe('');
		const cyclic: Record<string, unknown> = { type: 'add-plan-comment' };
		cyclic.self = cyclic;
		expect(refused(cyclic)).toBe('');
	});
});
