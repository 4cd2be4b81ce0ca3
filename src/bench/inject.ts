import type { Page } from '@playwright/test';
import type { DeviceData } from './device-data';

/**
 * Writes the device data into the app's IndexedDB in the shape of its Dexie tables (chunks, docs,
 * summaries), as a device that had synced these patients would hold them.
 */
export async function injectDeviceData(page: Page, data: DeviceData): Promise<void> {
	const at = new Date().toISOString();
	await page.evaluate(
		async ({ docs, summaries, at }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const req = indexedDB.open('dbep');
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => reject(req.error);
			});
			const tx = db.transaction(['chunks', 'docs', 'summaries'], 'readwrite');
			for (const d of docs) {
				const bytes = Uint8Array.from(atob(d.bytes), (c) => c.charCodeAt(0));
				tx.objectStore('chunks').put({ key: `${d.docId}|snapshot|bench`, docId: d.docId, kind: 'snapshot', bytes });
				tx.objectStore('docs').put({ docId: d.docId, patientId: d.patientId, kind: d.kind, heads: d.heads, snapshotBytes: bytes.length, incrementalBytes: 0, updatedAt: at });
			}
			for (const s of summaries) tx.objectStore('summaries').put(s);
			await new Promise((resolve, reject) => {
				tx.oncomplete = resolve;
				tx.onerror = () => reject(tx.error);
			});
			db.close();
		},
		{ docs: data.docs, summaries: data.summaries, at }
	);
}
