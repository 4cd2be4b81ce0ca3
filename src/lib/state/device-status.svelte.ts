import type { PlanRepository } from '$lib/storage/plan-repository';

/** What the status bar shows: connectivity, unsent work, and a waiting app update. */
class DeviceStatus {
	online = $state(true);
	unsyncedPatients = $state(0);
	lastSynced = $state<string | null>(null);
	activateUpdate = $state<(() => void) | null>(null);
	#started = false;

	/** Starts following the network state and the repository's unsynced set. */
	start(repo: PlanRepository): void {
		if (this.#started) return;
		this.#started = true;
		this.online = navigator.onLine;
		addEventListener('online', () => (this.online = true));
		addEventListener('offline', () => (this.online = false));
		const count = async () => {
			this.unsyncedPatients = new Set((await repo.db.unsynced.toArray()).map((u) => u.patientId)).size;
		};
		repo.subscribe(() => void count());
		void count();
	}
}

export const deviceStatus = new DeviceStatus();
