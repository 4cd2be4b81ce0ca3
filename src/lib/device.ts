import { initializeWasm } from '@automerge/automerge/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { DbepDb } from './storage/db';
import { PlanRepository } from './storage/plan-repository';

/** The browser's local-first core: Automerge's wasm, the one database and the plan repository. */
export type Device = { db: DbepDb; repo: PlanRepository };

let booting: Promise<Device> | undefined;

async function boot(): Promise<Device> {
	await initializeWasm(wasmUrl);
	const db = new DbepDb();
	// A new device starts empty: its plans come from the server on the first sync.
	return { db, repo: new PlanRepository(db) };
}

/** The device core, started once per page. Browser only. */
export function device(): Promise<Device> {
	booting ??= boot();
	return booting;
}
