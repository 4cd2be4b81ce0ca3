import * as Automerge from '@automerge/automerge';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { demoDocuments, pal } from '$lib/fixtures';
import { openPostgresStore } from '$lib/server/store/postgres';
import { SyncHub } from './hub';
import { TestDevice } from './test-device';

const url = process.env.TEST_DATABASE_URL ?? '';
if (!url) {
	console.log(
		'two-processes.test.ts skipped: TEST_DATABASE_URL is unset. Run: TEST_DATABASE_URL=$(bash src/scripts/start-test-postgres.sh) npx vitest run src/lib/server'
	);
}

const palPlan = planDocId(pal.patientId);

describe.skipIf(!url)('two server processes on one PostgreSQL', () => {
	it('passes a change a device makes through hub A to a device on hub B within a second', async () => {
		// Each run gets its own schema (and NOTIFY channel), so runs sharing a database do not collide.
		const schema = `dbep_hub_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
		const [storeA, storeB] = await Promise.all([openPostgresStore(url, { schema }), openPostgresStore(url, { schema })]);
		const [hubA, hubB] = [new SyncHub(storeA, { log: () => undefined }), new SyncHub(storeB, { log: () => undefined })];
		try {
			await hubA.seedIfEmpty(demoDocuments());
			const [a, b] = [new TestDevice('tablet-a').connect(hubA), new TestDevice('tablet-b').connect(hubB)];
			a.hello();
			b.hello();
			await vi.waitFor(() => expect([a.docs.size, b.docs.size]).toEqual([6, 6]), { timeout: 3000 });
			const seen = b.inbox.length;
			const started = performance.now();
			a.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Hammerfest'));
			a.sync([palPlan]);
			await vi.waitFor(() => expect(b.inbox.slice(seen).some((m) => m.type === 'sync')).toBe(true), { timeout: 1000, interval: 5 });
			await vi.waitFor(() => expect((b.docs.get(palPlan) as Automerge.Doc<Plan>).patient.municipality).toBe('Hammerfest'), {
				timeout: 1000,
				interval: 5
			});
			expect(performance.now() - started).toBeLessThan(1000);
			expect(Automerge.getHeads(b.docs.get(palPlan) ?? Automerge.init()).sort()).toEqual(Automerge.getHeads(a.docs.get(palPlan) ?? Automerge.init()).sort());
		} finally {
			await Promise.all([hubA.close(), hubB.close()]);
			await Promise.all([storeA.close(), storeB.close()]);
			const admin = new pg.Client({ connectionString: url });
			await admin.connect();
			await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
		}
	});
});
