import { resolveConflict, type PlanConflict, type Resolution } from './conflicts';
import { logDocId, planDocId, type DocumentId, type ItemId, type PatientId } from './ids';
import type { DiagnosisInput, GoalInput, GuidanceInput, MeasureInput } from './inputs';
import { correctRecord, logMonthOf, recordMeasure, type Correction, type VisitRecord } from './measure-log';
import type { CareRole, Context, Diagnosis, GoalStatus, MeasureLog, MeasureStatus, Plan, WhatMattersAuthor } from './plan';
import {
	addCareTeamMember,
	addDiagnosis,
	addGoal,
	addMeasure,
	addMeasureComment,
	addPlanComment,
	addWhatMatters,
	blockClinician,
	endCareTeamMembership,
	endContactGuidance,
	markEnteredInError,
	putContactGuidance,
	setDiagnosisStatus,
	setGoalStatus,
	setMeasureStatus,
	setNextDue,
	setResponsible,
	setRestricted,
	unblockClinician,
	updateDiagnosis,
	updateGoal,
	updateMeasure,
	type EntryPlace
} from './plan-ops';

/*
 * A command is a change to a plan or a log told as plain data (`{ type: 'record-visit', … }`), so
 * it can be named, checked where it enters the register, logged and shown in history. Every id a
 * command creates travels in it: applied on the tablet and again anywhere else, it makes the same
 * item, never a second one.
 */

/** A change to the plan document, as the tablet's forms and buttons make it. */
export type PlanCommand =
	| { type: 'add-what-matters'; id: ItemId; text: string; writtenAs: WhatMattersAuthor }
	| { type: 'add-diagnosis'; id: ItemId; input: DiagnosisInput }
	/** Text and code as the form holds them; `status`, when given, set in the same change. */
	| { type: 'update-diagnosis'; id: ItemId; input: DiagnosisInput; status?: Diagnosis['status'] }
	| { type: 'add-goal'; id: ItemId; input: GoalInput }
	/** The goal as the form holds it; `status`, when given, set (stamped) in the same change. */
	| { type: 'update-goal'; id: ItemId; input: GoalInput; status?: GoalStatus }
	| { type: 'add-measure'; id: ItemId; input: MeasureInput }
	/** The measure as the form holds it; `status`, when given, set (stamped) in the same change. */
	| { type: 'update-measure'; id: ItemId; input: MeasureInput; status?: MeasureStatus }
	| { type: 'set-measure-status'; id: ItemId; status: MeasureStatus }
	| { type: 'set-next-due'; id: ItemId; date: string }
	| { type: 'add-plan-comment'; id: ItemId; text: string }
	| { type: 'add-measure-comment'; measureId: ItemId; id: ItemId; text: string }
	/** A comment or "what matters" entry marked entered in error (feilregistrert), with why: how anyone but its author corrects it. */
	| { type: 'mark-entered-in-error'; place: EntryPlace; reason: string }
	| { type: 'put-contact-guidance'; id: ItemId; input: GuidanceInput }
	| { type: 'end-contact-guidance'; id: ItemId }
	| { type: 'add-care-team-member'; id: ItemId; member: { name: string; role: CareRole; organisation: string; personId?: string | null } }
	| { type: 'end-care-team-membership'; id: ItemId }
	| { type: 'set-responsible'; memberId: ItemId }
	| { type: 'block-clinician'; id: ItemId; clinician: { personId: string; name: string; organisation: string } }
	| { type: 'unblock-clinician'; id: ItemId }
	| { type: 'set-restricted'; restricted: boolean }
	/** The conflict as the clinician saw it (its versions), and the version chosen or the text written. */
	| { type: 'resolve-conflict'; conflict: PlanConflict; resolution: Resolution };

/** A change to a month's measure log: a visit record, or a correction of one. */
export type LogCommand =
	| { type: 'record-visit'; id: ItemId; record: VisitRecord }
	| { type: 'correct-record'; id: ItemId; originalId: ItemId; correction: Correction };

/** Any command. */
export type Command = PlanCommand | LogCommand;

/** A command's name, as its change's message carries it. */
export type CommandType = Command['type'];

const LOG_COMMANDS: ReadonlySet<CommandType> = new Set<LogCommand['type']>(['record-visit', 'correct-record']);

/** Whether a command changes a month's log (else it changes the plan). */
export function isLogCommand(command: Command): command is LogCommand {
	return LOG_COMMANDS.has(command.type);
}

/** The time that decides which month's log a log command goes in: when the visit was (or is corrected to). */
export function logTimeOf(command: LogCommand): string {
	return command.type === 'record-visit' ? command.record.at : command.correction.at;
}

/** The document a command changes: the patient's plan, or the log of the month it is about. */
export function documentOf(patientId: PatientId, command: Command): DocumentId {
	return isLogCommand(command) ? logDocId(patientId, logMonthOf(logTimeOf(command))) : planDocId(patientId);
}

/** The message of the change a command makes: its name, so the document's history can tell what each change was. */
export function commitMessage(command: Command): string {
	return command.type;
}

/**
 * Applies a command to a draft of its document (inside `Automerge.change`), as `ctx.by` at
 * `ctx.at`, through the plan and log operations: the one place a command becomes a change, on the
 * tablet and in the register alike. Throws, as those operations do, for an item the document lacks.
 */
export function apply(draft: Plan, command: PlanCommand, ctx: Context): void;
export function apply(draft: MeasureLog, command: LogCommand, ctx: Context): void;
export function apply(draft: Plan | MeasureLog, command: Command, ctx: Context): void {
	if (isLogCommand(command)) applyToLog(draft as MeasureLog, command, ctx);
	else applyToPlan(draft as Plan, command, ctx);
}

function applyToLog(log: MeasureLog, c: LogCommand, ctx: Context): void {
	if (c.type === 'record-visit') recordMeasure(log, c.id, c.record, ctx);
	else correctRecord(log, c.id, c.originalId, c.correction, ctx);
}

function applyToPlan(plan: Plan, c: PlanCommand, ctx: Context): void {
	switch (c.type) {
		case 'add-what-matters':
			return addWhatMatters(plan, c.id, c.text, c.writtenAs, ctx);
		case 'add-diagnosis':
			return addDiagnosis(plan, c.id, c.input, ctx);
		case 'update-diagnosis':
			updateDiagnosis(plan, c.id, c.input, ctx);
			if (c.status && plan.diagnoses[c.id]?.status !== c.status) setDiagnosisStatus(plan, c.id, c.status, ctx);
			return;
		case 'add-goal':
			return addGoal(plan, c.id, c.input, ctx);
		case 'update-goal':
			updateGoal(plan, c.id, c.input, ctx);
			if (c.status && plan.goals[c.id]?.status.value !== c.status) setGoalStatus(plan, c.id, c.status, ctx);
			return;
		case 'add-measure':
			return addMeasure(plan, c.id, c.input, ctx);
		case 'update-measure':
			updateMeasure(plan, c.id, c.input, ctx);
			if (c.status && plan.measures[c.id]?.status.value !== c.status) setMeasureStatus(plan, c.id, c.status, ctx);
			return;
		case 'set-measure-status':
			return setMeasureStatus(plan, c.id, c.status, ctx);
		case 'set-next-due':
			return setNextDue(plan, c.id, c.date, ctx);
		case 'add-plan-comment':
			return addPlanComment(plan, c.id, c.text, ctx);
		case 'add-measure-comment':
			return addMeasureComment(plan, c.measureId, c.id, c.text, ctx);
		case 'mark-entered-in-error':
			return markEnteredInError(plan, c.place, c.reason, ctx);
		case 'put-contact-guidance':
			return putContactGuidance(plan, c.id, c.input, ctx);
		case 'end-contact-guidance':
			return endContactGuidance(plan, c.id, ctx);
		case 'add-care-team-member':
			return addCareTeamMember(plan, c.id, c.member, ctx);
		case 'end-care-team-membership':
			return endCareTeamMembership(plan, c.id, ctx);
		case 'set-responsible':
			return setResponsible(plan, c.memberId, ctx);
		case 'block-clinician':
			return blockClinician(plan, c.id, c.clinician, ctx);
		case 'unblock-clinician':
			return unblockClinician(plan, c.id, ctx);
		case 'set-restricted':
			return setRestricted(plan, c.restricted, ctx);
		case 'resolve-conflict':
			return resolveConflict(plan, c.conflict, c.resolution, ctx);
		default: {
			const unknown: never = c;
			throw new Error(`unknown command ${(unknown as { type: string }).type}`);
		}
	}
}
