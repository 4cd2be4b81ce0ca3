import { join } from 'node:path';
import { expect, test } from './test';
import Database from 'better-sqlite3';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

/**
 * A register holding two plans with Pål's national ID, as one stored before the register refused
 * a second plan for a person could: the decoy is written into the server's SQLite file while it is
 * stopped, as a copy of Pål's summary under another patient id.
 */
function addDecoy(dataDir: string): void {
	const db = new Database(join(dataDir, 'documents.sqlite'));
	try {
		const row = db.prepare('SELECT summary FROM summaries WHERE patient_id = ?').get(pal.patientId) as { summary: string } | undefined;
		if (!row) throw new Error('Pål has no summary in the register');
		const decoyId = crypto.randomUUID();
		const summary = { ...(JSON.parse(row.summary) as Record<string, unknown>), patientId: decoyId, team: [] };
		db.prepare('INSERT INTO summaries (patient_id, summary) VALUES (?, ?)').run(decoyId, JSON.stringify(summary));
	} finally {
		db.close();
	}
}

test('emergency access for a national ID two stored plans carry is refused with the reason, not given to either plan', async ({ browser }) => {
	test.setTimeout(120_000);
	const server = serverProcess(4761);
	await server.start();
	try {
		await server.kill();
		addDecoy(server.dataDir);
		await server.start();

		const alta = await (await browser.newContext()).newPage();
		await logIn(alta, clinicians.altaNurse.name, server.url);
		await expect(alta.getByTestId('patient-list')).toBeVisible({ timeout: 30_000 });
		await alta.getByText('Akutt tilgang til en pasient utenfor teamet').click();
		const form = alta.getByTestId('emergency-access');
		await form.getByLabel('Pasientens fødselsnummer').fill(pal.patient.nationalId);
		await form.getByLabel('Begrunnelse').fill('Vikar i Rana, pasienten er forvirret og alene');
		await form.getByRole('button', { name: 'Be om akutt tilgang' }).click();
		await expect(form.getByTestId('emergency-result')).toContainText('Registeret har mer enn én plan med dette fødselsnummeret');
		await expect(form.getByTestId('emergency-result')).toContainText('Akutt tilgang gis ikke');
		expect(await wcagViolations(alta)).toEqual([]);
		await expect(alta.getByRole('link', { name: pal.patient.name, exact: true })).toHaveCount(0);
	} finally {
		await server.dispose();
	}
});
