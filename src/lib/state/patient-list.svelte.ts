import { device } from '$lib/device';
import type { PatientListItem } from '$lib/storage/plan-repository';

/** How often the list looks at the clock again, so a slot left undone turns overdue on screen. */
const CLOCK_MS = 60_000;

/** The patient list, read from summaries only, refreshed after every stored change and every minute. */
export class PatientList {
	items = $state.raw<PatientListItem[] | null>(null);
	/** The time the list's states are told for. */
	now = $state(new Date().toISOString());

	/** Loads the list and keeps it current; returns the function that stops following changes. */
	async follow(): Promise<() => void> {
		const { repo } = await device();
		let latest = 0;
		let renewing = false;
		const load = async () => {
			const mine = ++latest;
			const items = await repo.listPatients();
			// Reads may finish out of order: only the newest one is shown.
			if (mine !== latest) return;
			this.items = items;
			// Summaries stored by an older version show as unknown until renewed from the stored plans.
			if (!renewing && items.some((i) => i.records === undefined)) {
				renewing = true;
				void repo.renewStaleSummaries(this.now).finally(() => (renewing = false));
			}
		};
		// Following starts before the first read, so a change stored meanwhile (a sync) is not missed.
		const stop = repo.subscribe(() => void load());
		const clock = setInterval(() => (this.now = new Date().toISOString()), CLOCK_MS);
		await load();
		return () => {
			stop();
			clearInterval(clock);
		};
	}
}
