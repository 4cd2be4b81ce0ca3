import { expect, test } from './test';
import pg from 'pg';
import { pal } from '../src/lib/fixtures';
import { logIn, ranaNurse } from './helpers';
import { serverProcess, type ServerProcess } from './server-process';

const url = process.env.TEST_DATABASE_URL;
// Needs a PostgreSQL server: .ci/run starts one; locally, see src/scripts/start-test-postgres.sh.
test.skip(!url, 'TEST_DATABASE_URL is not set: two server processes need a shared PostgreSQL');

let database: string;
let servers: ServerProcess[] = [];

async function admin(sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

test.beforeAll(async () => {
	database = `dbep_e2e_${Date.now()}`;
	await admin(`CREATE DATABASE ${database}`);
	const shared = new URL(url!);
	shared.pathname = `/${database}`;
	servers = [serverProcess(4183, shared.href), serverProcess(4184, shared.href)];
	for (const s of servers) await s.start();
});

test.afterAll(async () => {
	for (const s of servers) await s.dispose();
	await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

test('a change made on a tablet connected to one server process reaches a tablet on another', async ({ browser }) => {
	const [one, two] = servers as [ServerProcess, ServerProcess];
	const open = async (server: ServerProcess) => {
		const page = await (await browser.newContext()).newPage();
		await logIn(page, ranaNurse, server.url);
		await page.goto(`${server.url}/patients/${pal.patientId}`);
		await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible({ timeout: 20_000 });
		await expect(page.getByTestId('unsynced-count')).toContainText('Alle endringer er sendt', { timeout: 20_000 });
		return page;
	};
	const a = await open(one);
	const b = await open(two);
	await a.getByLabel('Skriv en kommentar').fill('Kontroll hos øyelegen er flyttet til mars.');
	await a.getByRole('button', { name: 'Legg til kommentar' }).last().click();
	await expect(b.getByText('Kontroll hos øyelegen er flyttet til mars.')).toBeVisible({ timeout: 5_000 });
});
