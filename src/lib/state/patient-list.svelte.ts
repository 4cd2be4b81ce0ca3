import { device } from '$lib/device';
import type { PatientListItem } from '$lib/storage/plan-repository';

/** The patient list, read from summaries only, refreshed after every stored change. */
export class PatientList {
	items = $state.raw<PatientListItem[] | null>(null);

	/** Loads the list and keeps it current; returns the function that stops following changes. */
	async follow(): Promise<() => void> {
		const { repo } = await device();
		const load = async () => {
			this.items = await repo.listPatients();
		};
		await load();
		return repo.subscribe(() => void load());
	}
}
