import { device } from '$lib/device';
import type { PatientId } from '$lib/domain/ids';
import type { PatientListItem } from '$lib/storage/plan-repository';

/** How often the list looks at the clock again, so a slot left undone turns overdue on screen. */
const CLOCK_MS = 60_000;

/**
 * The patient list, read from summaries only, refreshed after every stored change and every
 * minute. After the first read only the changed patients' rows are read again, and changes
 * announced while a read runs are read together after it: while thousands of plans arrive, each
 * batch costs its own rows, and an unchanged patient keeps the very same item (so its card is
 * not drawn again).
 */
export class PatientList {
	items = $state.raw<PatientListItem[] | null>(null);
	/**
	 * Whether `items` holds every patient on the device. Until the first read has returned, the
	 * list holds only the rows a sync has stored meanwhile: shown at once (a fresh device's first
	 * patients, while the read waits behind the sync's writes), but not as the whole list.
	 */
	complete = $state(false);
	/** The time the list's states are told for. */
	now = $state(new Date().toISOString());

	/** Loads the list and keeps it current; returns the function that stops following changes. */
	async follow(): Promise<() => void> {
		const { repo } = await device();
		const byId = new Map<PatientId, PatientListItem>();
		let pending: Set<PatientId> | 'all' | null = 'all';
		let reading: Promise<void> | null = null;
		let renewing = false;
		let stopped = false;
		// When each row was last set from a sync's own summaries: a read begun before must not put back an older row.
		let clock = 0;
		const setAt = new Map<PatientId, number>();
		const read = async () => {
			while (pending !== null && !stopped) {
				const wanted = pending;
				const began = ++clock;
				pending = null;
				if (wanted === 'all') {
					const items = await repo.listPatients();
					const listed = new Set(items.map((i) => i.patientId));
					for (const id of byId.keys()) if (!listed.has(id) && !((setAt.get(id) ?? 0) > began)) byId.delete(id);
					for (const item of items) if (!((setAt.get(item.patientId) ?? 0) > began)) byId.set(item.patientId, item);
					this.complete = true;
				} else {
					const { items, gone } = await repo.listPatientsOf([...wanted]);
					for (const id of gone) byId.delete(id);
					for (const item of items) if (!((setAt.get(item.patientId) ?? 0) > began)) byId.set(item.patientId, item);
				}
				if (stopped) return;
				this.items = [...byId.values()];
				// Summaries stored by an older version show as unknown until renewed from the stored plans.
				if (!renewing && this.items.some((i) => i.records === undefined)) {
					renewing = true;
					void repo.renewStaleSummaries(this.now).finally(() => (renewing = false));
				}
			}
		};
		const load = (patientIds: readonly PatientId[] | 'all') => {
			if (patientIds === 'all' || pending === 'all') pending = 'all';
			else {
				const ids = pending ?? new Set<PatientId>();
				for (const id of patientIds) ids.add(id);
				pending = ids;
			}
			reading ??= read().finally(() => (reading = null));
			return reading;
		};
		// Following starts before the first read, so a change stored meanwhile (a sync) is not missed.
		const stop = repo.subscribe((patientIds, stored) => {
			// Rows a sync has just stored are shown as they are, without waiting for a read behind its next write.
			const known = new Set<PatientId>();
			if (stored?.length && pending !== 'all') {
				const at = ++clock;
				for (const s of stored) {
					byId.set(s.patientId, { ...s, unsynced: false });
					setAt.set(s.patientId, at);
					known.add(s.patientId);
				}
				this.items = [...byId.values()];
			}
			const rest = patientIds.filter((id) => !known.has(id));
			if (rest.length) void load(rest);
		});
		const ticking = setInterval(() => (this.now = new Date().toISOString()), CLOCK_MS);
		await load('all');
		return () => {
			stopped = true;
			stop();
			clearInterval(ticking);
		};
	}
}
