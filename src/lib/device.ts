import { initializeWasm } from '@automerge/automerge/slim';
import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import { demoDocuments } from '$lib/fixtures';
import { DbepDb } from './storage/db';
import { PlanRepository } from './storage/plan-repository';
import { seedIfEmpty } from './storage/seed';

/** The browser's local-first core: Automerge's wasm, the one database and the plan repository. */
export type Device = { db: DbepDb; repo: PlanRepository };

let booting: Promise<Device> | undefined;

async function boot(): Promise<Device> {
	await initializeWasm(wasmUrl);
	const db = new DbepDb();
	const repo = new PlanRepository(db);
	// Until the server holds the plans (issue #3), a new device starts with the demo data.
	await seedIfEmpty(repo, demoDocuments, new Date().toISOString());
	return { db, repo };
}

/** The device core, started once per page. Browser only. */
export function device(): Promise<Device> {
	booting ??= boot();
	return booting;
}
