import type { SetAsideRow } from '$lib/storage/db';
import type { PlanRepository } from '$lib/storage/plan-repository';
import { startSync, type SyncConnection, type SyncStatus } from '$lib/sync/connection';
import type { SyncPhase, SyncProgress, SyncRefusal } from '$lib/sync/sync-state';

/** A version set aside on this device, as the interface lists it (the whole copy stays in storage). */
export type SetAsideItem = Omit<SetAsideRow, 'bytes'> & { id: number; hasCopy: boolean };

/** What the status bar shows: connectivity, sync with the server, unsent work, a waiting app update. */
class DeviceStatus {
	online = $state(true);
	/** A socket to the server is open (in this tab or the tab that syncs). */
	connected = $state(false);
	phase = $state<SyncPhase>('idle');
	unsyncedPatients = $state(0);
	lastSynced = $state<string | null>(null);
	/** Plans received so far while a fresh device loads them. */
	progress = $state.raw<SyncProgress | null>(null);
	/** The latest thing the server refused (or a frame from it the device could not use). */
	refusal = $state.raw<SyncRefusal | null>(null);
	/** Versions the register refused, set aside on this device until the user discards them. */
	setAside = $state.raw<SetAsideItem[]>([]);
	activateUpdate = $state<(() => void) | null>(null);
	#repo: PlanRepository | null = null;
	#connection: SyncConnection | null = null;
	#connecting: Promise<SyncConnection> | undefined;
	#started = false;

	/** Starts following the network state and the repository's unsynced set. */
	start(repo: PlanRepository): void {
		if (this.#started) return;
		this.#started = true;
		this.#repo = repo;
		this.online = navigator.onLine;
		addEventListener('online', () => (this.online = true));
		addEventListener('offline', () => (this.online = false));
		const count = async () => {
			this.unsyncedPatients = new Set((await repo.db.unsynced.toArray()).map((u) => u.patientId)).size;
			this.setAside = (await repo.setAsideList()).map(({ bytes, ...row }) => ({ ...row, id: row.id!, hasCopy: bytes !== null }));
		};
		repo.subscribe(() => void count());
		void count();
		void repo.lastSyncedAt().then((at) => (this.lastSynced ??= at));
	}

	/** Starts syncing with the server and shows its status. */
	connect(repo: PlanRepository): Promise<void> {
		this.#connecting ??= startSync(repo).then((connection) => {
			this.#connection = connection;
			connection.subscribe((s) => this.#connection === connection && this.#show(s));
			return connection;
		});
		return this.#connecting.then(() => undefined);
	}

	/** Stops syncing (the session ended on this device); `connect` starts again. */
	disconnect(): void {
		const connecting = this.#connecting;
		this.#connecting = undefined;
		void connecting?.then((connection) => {
			if (this.#connection === connection) this.#connection = null;
			connection.stop();
			this.connected = false;
		});
	}

	/** Deletes a set-aside version the user has read. */
	async discardSetAside(id: number): Promise<void> {
		await this.#repo?.discardSetAside(id);
	}

	/** The whole set-aside version, as saved Automerge bytes, while the device keeps it. */
	async setAsideCopy(id: number): Promise<Uint8Array | null> {
		return (await this.#repo?.db.setAside.get(id))?.bytes ?? null;
	}

	/** "Synkroniser nå": syncs at once, from whichever tab holds the connection. */
	syncNow(): void {
		this.#connection?.syncNow();
	}

	#show(s: SyncStatus): void {
		this.connected = s.connected;
		this.phase = s.phase;
		this.progress = s.progress;
		this.lastSynced = s.lastSyncedAt ?? this.lastSynced;
		this.refusal = s.refusals.at(-1) ?? null;
	}
}

export const deviceStatus = new DeviceStatus();
