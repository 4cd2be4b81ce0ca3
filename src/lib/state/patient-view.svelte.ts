import type { ItemId, PatientId } from '$lib/domain/ids';
import { isLogCommand, type Command } from '$lib/domain/commands';
import type { PlanConflict } from '$lib/domain/conflicts';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import type { LoadProblem, WriteProblem } from '$lib/storage/doc-store';
import type { OpenResult, WriteResult } from '$lib/storage/plan-repository';
import { device } from '$lib/device';
import { nowContext } from '$lib/session';

export type ViewState =
	| { status: 'loading' }
	| { status: 'ready'; plan: Plan; logs: MeasureLog[]; conflicts: PlanConflict[] }
	| { status: 'failed'; reason: LoadProblem };

/** One patient's plan and recent logs as a page sees them, with the operations a page may run. */
export class PatientView {
	state = $state.raw<ViewState>({ status: 'loading' });
	/** Damage found after the plan was shown from its view: it can be read but not changed. */
	problem = $state<LoadProblem | null>(null);

	constructor(readonly patientId: PatientId) {}

	#show(result: OpenResult): void {
		if (result.ok) this.state = { status: 'ready', ...result.value };
		else if (this.state.status === 'ready') this.problem = result.reason;
		else this.state = { status: 'failed', reason: result.reason };
	}

	/**
	 * Shows the patient after a write; returns why the write was not made (null: it was), for the
	 * form that asked to say so and keep what was typed. A failed write left nothing to show.
	 */
	#wrote(result: WriteResult): WriteProblem | null {
		if (result.ok || result.reason !== 'write-failed') this.#show(result as OpenResult);
		return result.ok ? null : result.reason;
	}

	/** Opens the patient and follows changes to it; returns the function that stops following. */
	async follow(): Promise<() => void> {
		const { repo } = await device();
		let latest = 0;
		const open = async () => {
			const mine = ++latest;
			const result = await repo.openPatient(this.patientId, new Date().toISOString());
			// Reads may finish out of order: only the newest one is shown.
			if (mine === latest) this.#show(result);
		};
		// Following starts before the first read, so a change stored meanwhile (a sync) is not missed.
		const stop = repo.subscribe((ids) => {
			if (ids.includes(this.patientId)) void open();
		});
		await open();
		// Parse the plan while the nurse reads it, so her first edit does not wait for it.
		const idle = globalThis.requestIdleCallback ?? ((f: () => void) => setTimeout(f, 200));
		// A plan not yet on this device (still coming from the server) is not damage.
		idle(() => void repo.warm(this.patientId).then((problem) => (this.problem = problem === 'document-missing' ? null : problem)));
		// The register cannot see a read of the device's own copy: it is reported at the next sync, for the patient's access log.
		if (this.state.status === 'ready') void repo.noteOpened(this.patientId);
		return stop;
	}

	/** Runs a command as the acting user, now, on the plan or the log it is about; returns why it was not saved, or null. */
	async run(command: Command): Promise<WriteProblem | null> {
		const started = performance.now();
		const { repo } = await device();
		const problem = this.#wrote(await repo.run(this.patientId, command, nowContext()));
		// User timing for the benchmark: from the user's action until the record is stored.
		if (!problem && isLogCommand(command)) performance.measure('dbep:record-persisted', { start: started });
		return problem;
	}

	/** The plan, when loaded. */
	get plan(): Plan | null {
		return this.state.status === 'ready' ? this.state.plan : null;
	}

	/** The set of the plan's diagnosis ids, for checking forms. */
	diagnosisIds(): Set<ItemId> {
		return new Set(Object.keys(this.plan?.diagnoses ?? {}) as ItemId[]);
	}
}
