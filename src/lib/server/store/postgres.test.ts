import pg from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { planDocId, type DocumentId, type PatientId } from '$lib/domain/ids';
import { runStoreAcceptance } from './acceptance';
import { accessSummary } from './acceptance-register';
import { openPostgresStore } from './postgres';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import type { DocumentStore } from './types';

const url = process.env.TEST_DATABASE_URL ?? '';
if (!url) {
	console.log(
		'postgres.test.ts skipped: TEST_DATABASE_URL is unset. Run: TEST_DATABASE_URL=$(bash src/scripts/start-test-postgres.sh) npx vitest run src/lib/server'
	);
}

// Each test gets its own schema (and so its own NOTIFY channel), so runs sharing a database do not collide.
const run = `dbep_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
let count = 0;

async function freshSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
	const schema = `${run}_${++count}`;
	const drop = async () => {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		} finally {
			await client.end();
		}
	};
	return { schema, drop };
}

describe.skipIf(!url)('PostgreSQL', () => {
	runStoreAcceptance('PostgreSQL', async () => {
		const { schema, drop } = await freshSchema();
		const opened: DocumentStore[] = [];
		const openOne = async () => {
			const store = await openPostgresStore(url, { schema });
			opened.push(store);
			return store;
		};
		return {
			store: await openOne(),
			reopen: openOne,
			tamper: async (sql) => {
				const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
				await client.connect();
				try {
					await client.query(sql);
				} finally {
					await client.end();
				}
			},
			cleanup: async () => {
				await Promise.all(opened.map((store) => store.close()));
				await drop();
			}
		};
	});

	it('passes commits between two server processes on one database, losing nothing', async () => {
		const { schema, drop } = await freshSchema();
		const [one, two] = await Promise.all([openPostgresStore(url, { schema }), openPostgresStore(url, { schema })]);
		try {
			const p = randomUUID() as PatientId;
			const doc = planDocId(p);
			const heard: DocumentId[] = [];
			two.subscribe((id) => heard.push(id));
			await one.commit(doc, p, { add: [{ key: 'a', kind: 'snapshot', bytes: Uint8Array.of(1) }], remove: [], heads: ['h1'] });
			await vi.waitFor(() => expect(heard).toEqual([doc]), { timeout: 1000, interval: 5 });
			expect(await two.chunks(doc)).toStrictEqual([{ key: 'a', kind: 'snapshot', bytes: Uint8Array.of(1) }]);

			const write = (i: number) => ({ add: [{ key: `i${i}`, kind: 'incremental' as const, bytes: Uint8Array.of(i) }], remove: [], heads: [`h${i}`] });
			await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).commit(doc, p, write(i))));
			expect(await one.chunks(doc)).toHaveLength(41);
			await vi.waitFor(() => expect(heard.length).toBe(41), { timeout: 1000, interval: 5 });
		} finally {
			await Promise.all([one.close(), two.close()]);
			await drop();
		}
	});

	it('migrates a version 1 schema to the latest version, keeping its documents', async () => {
		const { schema, drop } = await freshSchema();
		const p = randomUUID() as PatientId;
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		try {
			await admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
			await admin.query(POSTGRES_MIGRATIONS[0] ?? '');
			await admin.query('CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (1)');
			await admin.query('INSERT INTO docs (doc_id, patient_id, heads) VALUES ($1, $2, $3)', [planDocId(p), p, ['h1']]);
			const store = await openPostgresStore(url, { schema });
			try {
				expect(await store.manifest()).toStrictEqual([{ docId: planDocId(p), patientId: p, heads: ['h1'] }]);
				expect(await store.summaries()).toEqual([]);
				const summary = { patientId: p, name: 'Pål Testesen', birthDate: '1950-03-01', municipality: 'Rana', responsible: null, measures: [], records: {}, team: [] };
				await store.commit(planDocId(p), p, { add: [], remove: [], heads: ['h2'], summary });
				expect(await store.summaries([p])).toStrictEqual([summary]);
			} finally {
				await store.close();
			}
			expect((await admin.query('SELECT version FROM schema_version')).rows).toEqual([{ version: POSTGRES_MIGRATIONS.length }]);
		} finally {
			await admin.end();
			await drop();
		}
	});

	it('migrates a schema of version 5 by filling the need-to-know index from its summaries, and looks both up by index', async () => {
		const { schema, drop } = await freshSchema();
		const [p, q] = [randomUUID(), randomUUID()].sort() as PatientId[];
		const admin = new pg.Client({ connectionString: url });
		await admin.connect();
		try {
			await admin.query(`CREATE SCHEMA "${schema}"; SET search_path = "${schema}"`);
			for (const ddl of POSTGRES_MIGRATIONS.slice(0, 5)) await admin.query(ddl);
			await admin.query('CREATE TABLE schema_version (version integer NOT NULL); INSERT INTO schema_version VALUES (5)');
			const insert = 'INSERT INTO summaries (patient_id, summary) VALUES ($1, $2::jsonb)';
			await admin.query(insert, [p, JSON.stringify(accessSummary(p!, ['u1', 'u2'], { nationalId: '03855100164' }))]);
			await admin.query(insert, [q, JSON.stringify(accessSummary(q!, ['u1'], { blocked: ['u1'], nationalId: '03855100164' }))]);
			const store = await openPostgresStore(url, { schema });
			try {
				expect([await store.patientsOf('u1'), await store.patientsOf('u2')]).toEqual([[p], [p]]);
				expect((await store.patientsByNationalId('03855100164')).map((s) => s.patientId)).toEqual([p, q]);
			} finally {
				await store.close();
			}
			// With sequential scans priced out, the planner shows the lookups can use the indexes.
			await admin.query('SET enable_seqscan = off');
			const plan = async (sql: string) => (await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, ['x'])).rows.map((r) => r['QUERY PLAN']).join('\n');
			expect(await plan(`SELECT summary FROM summaries WHERE summary->>'nationalId' = $1`)).toMatch(/summaries_national_id/);
			expect(await plan('SELECT patient_id FROM care_team WHERE person_id = $1')).toMatch(/care_team_pkey/);
		} finally {
			await admin.end();
			await drop();
		}
	});

	it('keeps listening after its LISTEN connection is lost', async () => {
		const { schema, drop } = await freshSchema();
		const store = await openPostgresStore(url, { schema });
		const admin = new pg.Client({ connectionString: url });
		try {
			await admin.connect();
			const killed = await admin.query(
				`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbep-listen' AND query = $1`,
				[`LISTEN "dbep_docs_${schema}"`]
			);
			expect(killed.rowCount).toBe(1);
			const p = randomUUID() as PatientId;
			const heard: DocumentId[] = [];
			store.subscribe((id) => heard.push(id));
			// Commits while the listener is down are not heard; keep committing until one is.
			await vi.waitFor(
				async () => {
					await store.commit(planDocId(p), p, { add: [], remove: [], heads: ['h'] });
					expect(heard).toContain(planDocId(p));
				},
				{ timeout: 4000, interval: 200 }
			);
		} finally {
			await admin.end();
			await store.close();
			await drop();
		}
	});
});
