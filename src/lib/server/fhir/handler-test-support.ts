/** Shared setup for the FHIR handlers' tests: the process's sync runtime on a fresh SQLite register, and a caller for a clinician. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fhirProblems, loadFhirValidators } from '$lib/fhir/validate';
import type { User } from '$lib/server/access/users';
import { principalFor } from '$lib/server/sync/access';
import { startSyncRuntime, type SyncRuntime } from '$lib/server/sync/runtime';
import type { FhirCaller } from './caller';
import { fhirDeps, type FhirDeps, type FhirRequest } from './context';

export const BASE = 'http://127.0.0.1:4800/fhir';

export type HandlerRuntime = { sync: SyncRuntime; deps: FhirDeps; requestAs(user: User, basis?: FhirCaller['basis']): Promise<FhirRequest>; close(): Promise<void> };

/** Starts the runtime (once per test file: it lives on a global) and the validators. */
export async function startHandlerRuntime(): Promise<HandlerRuntime> {
	loadFhirValidators();
	const dir = await mkdtemp(join(tmpdir(), 'dbep-fhir-'));
	const sync = await startSyncRuntime({ dataDir: dir });
	const deps = fhirDeps(sync.hub, sync.store);
	return {
		sync,
		deps,
		async requestAs(user, basis = 'UNNTAK') {
			const principal = await principalFor(sync.store, 'fhir:dbep-demo-ehr', user);
			const caller: FhirCaller = { clientId: 'dbep-demo-ehr', sourceSystem: 'EPJ Bodø legesenter', eventId: 'evt-1', basis, reason: null, hpr: user.hpr!, role: { system: 'urn:oid:2.16.578.1.12.4.1.1.9060', code: 'LE' }, principal };
			return { caller, base: BASE };
		},
		async close() {
			await sync.close();
			await rm(dir, { recursive: true, force: true });
		}
	};
}

/** The response's status and body, the body checked against R4 and served as FHIR JSON (nothing for 204). */
export async function answer<T>(response: Response): Promise<{ status: number; body: T; headers: Headers }> {
	const text = await response.text();
	const body = (text ? JSON.parse(text) : null) as T;
	if (text) {
		expect(fhirProblems(body)).toEqual([]);
		expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
	}
	return { status: response.status, body, headers: response.headers };
}
