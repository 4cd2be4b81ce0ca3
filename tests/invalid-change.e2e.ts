import * as Automerge from '@automerge/automerge';
import { expect, test, type Page } from './test';
import type { Plan } from '../src/lib/domain/plan';
import { clinicians, pal } from '../src/lib/fixtures';
import { logIn, openAndCache, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

const palPlan = `plan:${pal.patientId}`;

type Stored = { chunks: { kind: string; bytes: number[] }[]; heads: string[] };

/** Pål's plan as the tablet's IndexedDB holds it: its chunks (snapshot first) and heads. */
function readStored(page: Page): Promise<Stored> {
	return page.evaluate(async (docId) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const req = indexedDB.open('dbep');
			req.onsuccess = () => resolve(req.result);
			req.onerror = () => reject(req.error);
		});
		const tx = db.transaction(['chunks', 'docs'], 'readonly');
		const get = <T>(req: IDBRequest<T>) => new Promise<T>((resolve) => (req.onsuccess = () => resolve(req.result)));
		const rows = await get<{ kind: string; bytes: Uint8Array }[]>(tx.objectStore('chunks').getAll(IDBKeyRange.bound(`${docId}|`, `${docId}|\uffff`)));
		const row = await get<{ heads: string[] }>(tx.objectStore('docs').get(docId));
		db.close();
		rows.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'snapshot' ? -1 : 1));
		return { chunks: rows.map((r) => ({ kind: r.kind, bytes: [...new Uint8Array(r.bytes)] })), heads: row.heads };
	}, palPlan);
}

/**
 * Stores one more change to Pål's plan the way the tablet's document store does (an incremental
 * chunk, the document's new heads, the unsent mark with the register's version as its base), as
 * a device whose app let an invalid value through would hold it.
 */
function storeChange(page: Page, change: { bytes: number[]; heads: string[]; base: string[] }): Promise<void> {
	return page.evaluate(
		async ({ docId, patientId, bytes, heads, base }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open('dbep');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			const tx = db.transaction(['chunks', 'docs', 'unsynced', 'views'], 'readwrite');
			const headsKey = [...heads].sort().map((h) => h.slice(0, 16)).join('.');
			tx.objectStore('chunks').put({ key: `${docId}|incremental|${headsKey}`, docId, kind: 'incremental', bytes: Uint8Array.from(bytes) });
			const docs = tx.objectStore('docs');
			const req = docs.get(docId);
			req.onsuccess = () => docs.put({ ...req.result, heads, incrementalBytes: req.result.incrementalBytes + bytes.length, updatedAt: new Date().toISOString() });
			tx.objectStore('unsynced').put({ docId, patientId, since: new Date().toISOString(), changes: 1, base });
			tx.objectStore('views').delete(docId);
			await new Promise((resolve) => (tx.oncomplete = resolve));
			db.close();
		},
		{ docId: palPlan, patientId: pal.patientId, ...change }
	);
}

test('a change the register refuses as invalid is set aside on the tablet and shown with a reason the nurse understands', async ({ browser }) => {
	test.setTimeout(180_000);
	const server = serverProcess(4621);
	await server.start();
	try {
		const page = await (await browser.newContext()).newPage();
		await logIn(page, clinicians.ranaNurse.name, server.url);
		await openAndCache(page, `${server.url}/`);
		await expect(page.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt', { timeout: 30_000 });

		// Offline, the tablet's stored plan gets the change seen in the field: a measure title that is a number.
		await page.context().setOffline(true);
		await expect(page.getByTestId('connectivity')).toHaveText('Frakoblet – alt lagres på nettbrettet');
		const stored = await readStored(page);
		let doc = Automerge.init<Plan>();
		for (const c of stored.chunks) doc = Automerge.loadIncremental(doc, Uint8Array.from(c.bytes));
		expect(Automerge.getHeads(doc).sort()).toEqual([...stored.heads].sort());
		const changed = Automerge.change(doc, (p) => void ((p.measures[pal.measures.eyeDrops] as unknown as { title: number }).title = 42));
		const heads = Automerge.getHeads(changed);
		await storeChange(page, { bytes: [...Automerge.saveSince(changed, stored.heads)], heads, base: stored.heads });
		await page.reload();
		await expect(page.getByTestId('unsynced-count')).toHaveText('1 pasient har endringer som ikke er sendt');

		// Back online: the register refuses it; the tablet says so, sends it no more, and goes on from the register's plan.
		await page.context().setOffline(false);
		const notice = page.getByTestId('set-aside-notice');
		await expect(notice).toContainText(`Behandlingsplanregisteret tok ikke imot endringer for ${pal.patient.name}.`, { timeout: 30_000 });
		await expect(page.getByTestId('unsynced-count')).toHaveText('Alle endringer er sendt');
		expect(await wcagViolations(page)).toEqual([]);

		await notice.getByRole('link', { name: 'Se hva som er lagt til side' }).click();
		const item = page.getByTestId('set-aside-item');
		await expect(item).toHaveCount(1);
		await expect(item.getByRole('heading', { level: 2 })).toHaveText(`${pal.patient.name} – I planen`);
		await expect(item.getByTestId('set-aside-why')).toHaveText(
			'Endringen inneholdt noe registeret ikke kan lagre, for eksempel en for lang tekst eller en henvisning til noe som ikke finnes i planen. Gjør endringen på nytt i skjemaet, og si fra til systemansvarlig hvis det skjer igjen.'
		);
		await expect(item.getByTestId('set-aside-changes')).toHaveText('Tiltak (endret)');
		await expect(item.getByRole('button', { name: 'Last ned kopi' })).toBeVisible();
		expect(await wcagViolations(page)).toEqual([]);

		// The plan on the tablet is the register's again, with the measure's title as it was.
		await page.goto(`${server.url}/patients/${pal.patientId}`);
		await expect(page.getByRole('heading', { level: 1, name: pal.patient.name })).toBeVisible({ timeout: 30_000 });
		await expect(page.getByText('Øyedråper daglig').first()).toBeVisible();
	} finally {
		await server.dispose();
	}
});
