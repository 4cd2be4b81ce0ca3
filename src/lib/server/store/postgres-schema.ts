import pg from 'pg';

/**
 * Each schema version's DDL, in order: version n is reached by running the first n.
 * COLLATE "C" makes the manifest's order byte order, as in SQLite.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
	`
	CREATE TABLE docs (
		doc_id text COLLATE "C" PRIMARY KEY,
		patient_id text COLLATE "C" NOT NULL,
		heads text[] NOT NULL
	);
	CREATE INDEX docs_patient ON docs (patient_id);
	CREATE TABLE chunks (
		doc_id text COLLATE "C" NOT NULL,
		key text COLLATE "C" NOT NULL,
		kind text NOT NULL CHECK (kind IN ('snapshot', 'incremental')),
		bytes bytea NOT NULL,
		PRIMARY KEY (doc_id, key)
	);
	CREATE TABLE sync_states (
		peer_id text COLLATE "C" NOT NULL,
		doc_id text COLLATE "C" NOT NULL,
		state bytea NOT NULL,
		PRIMARY KEY (peer_id, doc_id)
	);
`,
	`
	CREATE TABLE summaries (
		patient_id text COLLATE "C" PRIMARY KEY,
		summary jsonb NOT NULL
	);
`,
	`
	CREATE TABLE audit (
		seq bigserial PRIMARY KEY,
		patient_id text COLLATE "C" NOT NULL,
		at timestamptz NOT NULL,
		entry jsonb NOT NULL
	);
	CREATE INDEX audit_patient ON audit (patient_id, at);
	CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$;
	CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
		FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
`,
	`
	CREATE INDEX audit_emergency ON audit ((entry->'who'->>'id')) WHERE entry->>'action' = 'emergency-access';
`
,
	`
	CREATE TABLE sessions (
		key text COLLATE "C" PRIMARY KEY,
		user_id text NOT NULL,
		claims jsonb NOT NULL,
		created_at timestamptz NOT NULL,
		expires_at timestamptz NOT NULL,
		ended_at timestamptz
	);
`,
	// Need-to-know by index: who is on whose care team, who is blocked, whose national ID is whose,
	// kept with the summary they are read from (and filled from the summaries already stored).
	`
	CREATE TABLE care_team (
		person_id text COLLATE "C" NOT NULL,
		patient_id text COLLATE "C" NOT NULL,
		PRIMARY KEY (person_id, patient_id)
	);
	CREATE INDEX care_team_patient ON care_team (patient_id);
	CREATE TABLE blocks (
		person_id text COLLATE "C" NOT NULL,
		patient_id text COLLATE "C" NOT NULL,
		PRIMARY KEY (person_id, patient_id)
	);
	CREATE INDEX blocks_patient ON blocks (patient_id);
	INSERT INTO care_team (person_id, patient_id)
		SELECT DISTINCT m.value #>> '{}', s.patient_id FROM summaries s,
			jsonb_array_elements(CASE WHEN jsonb_typeof(s.summary->'team') = 'array' THEN s.summary->'team' ELSE '[]' END) m
		WHERE jsonb_typeof(m.value) = 'string' ON CONFLICT DO NOTHING;
	INSERT INTO blocks (person_id, patient_id)
		SELECT DISTINCT m.value #>> '{}', s.patient_id FROM summaries s,
			jsonb_array_elements(CASE WHEN jsonb_typeof(s.summary->'blocked') = 'array' THEN s.summary->'blocked' ELSE '[]' END) m
		WHERE jsonb_typeof(m.value) = 'string' ON CONFLICT DO NOTHING;
	CREATE INDEX summaries_national_id ON summaries ((summary->>'nationalId'));
`,
	`
	CREATE TABLE provenance (
		seq bigserial PRIMARY KEY,
		doc_id text COLLATE "C" NOT NULL,
		patient_id text COLLATE "C" NOT NULL,
		at timestamptz NOT NULL,
		record jsonb NOT NULL
	);
	CREATE INDEX provenance_doc ON provenance (doc_id, seq);
	CREATE FUNCTION provenance_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'provenance is append-only'; END $$;
	CREATE TRIGGER provenance_no_change BEFORE UPDATE OR DELETE OR TRUNCATE ON provenance
		FOR EACH STATEMENT EXECUTE FUNCTION provenance_append_only();
`,
	// A long plan's read model, committed with its chunks and sent with its snapshot.
	`
	CREATE TABLE views (
		doc_id text COLLATE "C" PRIMARY KEY,
		heads text[] NOT NULL,
		view bytea NOT NULL
	);
`
];
const SCHEMA_VERSION = POSTGRES_MIGRATIONS.length;

/** Runs `work` in one transaction on one pooled connection; a connection whose ROLLBACK failed is discarded. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
	const client = await pool.connect();
	let broken: Error | undefined;
	try {
		await client.query('BEGIN');
		const result = await work(client);
		await client.query('COMMIT');
		return result;
	} catch (error) {
		await client.query('ROLLBACK').catch((e: Error) => (broken = e));
		throw error;
	} finally {
		client.release(broken);
	}
}

/** Brings the schema (created when missing) to this server's version, refusing a newer one. */
export async function migrate(pool: pg.Pool, schema: string | undefined): Promise<void> {
	await inTransaction(pool, async (client) => {
		// Serialises processes starting at once: CREATE ... IF NOT EXISTS alone can still collide.
		await client.query(`SELECT pg_advisory_xact_lock(hashtext('dbep document store schema'))`);
		if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
		await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
		const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
		const version = rows[0]?.version ?? 0;
		if (version > SCHEMA_VERSION) {
			throw new Error(`document store: schema version ${version} is newer than this server (${SCHEMA_VERSION})`);
		}
		for (const ddl of POSTGRES_MIGRATIONS.slice(version)) await client.query(ddl);
		await client.query('DELETE FROM schema_version');
		await client.query('INSERT INTO schema_version (version) VALUES ($1)', [SCHEMA_VERSION]);
	});
}
