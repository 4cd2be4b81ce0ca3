import { device } from '$lib/device';
import type { PatientListItem } from '$lib/storage/plan-repository';

/** The patient list, read from summaries only, refreshed after every stored change. */
export class PatientList {
	items = $state.raw<PatientListItem[] | null>(null);

	/** Loads the list and keeps it current; returns the function that stops following changes. */
	async follow(): Promise<() => void> {
		const { repo } = await device();
		let latest = 0;
		const load = async () => {
			const mine = ++latest;
			const items = await repo.listPatients();
			// Reads may finish out of order: only the newest one is shown.
			if (mine === latest) this.items = items;
		};
		// Following starts before the first read, so a change stored meanwhile (a sync) is not missed.
		const stop = repo.subscribe(() => void load());
		await load();
		return stop;
	}
}
