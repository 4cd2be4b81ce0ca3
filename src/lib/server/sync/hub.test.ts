import * as Automerge from '@automerge/automerge';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type ItemId, type Month } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { summarize } from '$lib/domain/worklist';
import { clinicians, demoDocuments, demoPatients, pal } from '$lib/fixtures';
import { PROTOCOL_VERSION } from '$lib/sync/protocol';
import { SyncHub } from './hub';
import { TestDevice } from './test-device';
import { freshDevice, harnessesPerTest, sorted, storedDoc } from './test-support';

const nurse = clinicians.ranaNurse;
const ctx = { by: { id: nurse.id, name: nurse.name, role: nurse.role, organisation: nurse.organisation }, at: '2025-01-15T09:00:00.000Z' };

const palPlan = planDocId(pal.patientId);
const open = harnessesPerTest();

describe('SyncHub: the protocol flows', () => {
	it('gives a fresh device every snapshot and summary in answer to one hello', async () => {
		const h = await open();
		const device = await freshDevice(h);
		const [welcome, ...rest] = device.inbox;
		expect(welcome).toMatchObject({ type: 'welcome', upToDate: false });
		expect(welcome?.type === 'welcome' && welcome.manifest).toHaveLength(demoPatients.length);
		expect(rest.every((m) => m.type === 'snapshots')).toBe(true);
		expect(rest.at(-1)).toMatchObject({ remaining: 0 });
		for (const { docId, doc } of demoDocuments()) {
			expect(sorted(Automerge.getHeads(device.docs.get(docId) ?? Automerge.init()))).toEqual(sorted(Automerge.getHeads(doc)));
		}
		expect([...device.summaries.values()]).toEqual(
			expect.arrayContaining(demoPatients.map((p) => summarize(structuredClone(p.plan) as Plan, [])))
		);
		expect(device.summaries.size).toBe(demoPatients.length);
	});

	it('answers a reconnect with nothing changed with upToDate and nothing else', async () => {
		const h = await open();
		const device = await freshDevice(h);
		device.connect(h.hub);
		device.inbox.length = 0;
		device.hello();
		await device.settle();
		expect(device.inbox).toEqual([{ type: 'welcome', upToDate: true, manifest: [] }]);
	});

	it('stores a device change durably, with the summary, before acknowledging the device heads', async () => {
		const h = await open();
		const device = await freshDevice(h, 'tablet-ack');
		device.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Bodø'));
		device.sync([palPlan]);
		await device.settle();
		const heads = Automerge.getHeads(device.docs.get(palPlan) ?? Automerge.init());
		expect(device.acked.get(palPlan)).toEqual(heads);
		expect((await storedDoc<Plan>(h.store, palPlan)).patient.municipality).toBe('Bodø');
		expect((await h.store.manifest([pal.patientId]))[0]?.heads).toEqual(heads);
		expect((await h.store.summaries([pal.patientId]))[0]?.municipality).toBe('Bodø');
		expect(await h.store.loadSyncState('tablet-ack', palPlan)).toBeInstanceOf(Uint8Array);
	});

	it('lets two devices converge, passing each change on live', async () => {
		const h = await open();
		const [a, b] = [await freshDevice(h), await freshDevice(h)];
		const before = b.inbox.length;
		a.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Bodø'));
		b.change<Plan>(palPlan, (d) => void (d.patient.birthDate = '1950-01-02'));
		a.sync([palPlan]);
		b.sync([palPlan]);
		for (let i = 0; i < 3; i++) await Promise.all([a.settle(), b.settle()]);
		const server = await storedDoc<Plan>(h.store, palPlan);
		for (const d of [a, b]) expect(sorted(Automerge.getHeads(d.docs.get(palPlan) ?? Automerge.init()))).toEqual(sorted(Automerge.getHeads(server)));
		expect(server.patient).toMatchObject({ municipality: 'Bodø', birthDate: '1950-01-02' });
		expect(b.inbox.slice(before).some((m) => m.type === 'sync')).toBe(true);
	});

	it('stores a document a device created, updates the summary from a log, and sends it to other devices as a snapshot', async () => {
		const h = await open();
		const [a, b] = [await freshDevice(h), await freshDevice(h)];
		const month = '2025-01' as Month;
		const logId = logDocId(pal.patientId, month);
		const measureId = Object.keys(pal.plan.measures)[0] as ItemId;
		a.docs.set(logId, genesis(logId, newMeasureLog(pal.patientId, month)));
		const record = { outcome: 'done', measureId, at: '2025-01-15T08:05:00.000Z', slot: '08:00', note: '' } as const;
		a.change<MeasureLog>(logId, (d) => recordMeasure(d, randomUUID() as ItemId, record, ctx));
		a.sync([logId]);
		await a.settle();
		await b.settle();
		expect(a.acked.get(logId)).toEqual(Automerge.getHeads(a.docs.get(logId) ?? Automerge.init()));
		const [summary] = await h.store.summaries([pal.patientId]);
		expect(summary?.records?.[`${measureId}|08:00`]).toMatchObject({ at: record.at, outcome: 'done' });
		const snapshot = b.received('snapshots').find((m) => m.docs.some((d) => d.docId === logId));
		expect(snapshot?.summaries).toEqual([summary]);
		expect(Automerge.toJS(b.docs.get(logId) ?? Automerge.init())).toEqual(Automerge.toJS(a.docs.get(logId) ?? Automerge.init()));
	});

	it('answers fetch with snapshots and ping with pong', async () => {
		const h = await open();
		const device = new TestDevice('tablet-fetch').connect(h.hub);
		device.send({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'tablet-fetch', digest: 'ab', empty: false });
		device.send({ type: 'fetch', docIds: [palPlan] });
		device.send({ type: 'ping' });
		await device.settle();
		expect(device.inbox.map((m) => m.type)).toEqual(['welcome', 'snapshots', 'pong']);
		expect(device.received('snapshots')[0]).toMatchObject({ remaining: 0, summaries: [{ patientId: pal.patientId }] });
		expect([...device.docs.keys()]).toEqual([palPlan]);
	});

	it('seeds only an empty register', async () => {
		const h = await open();
		const manifest = await h.store.manifest();
		expect(await h.hub.seedIfEmpty([{ docId: planDocId(pal.patientId), patientId: pal.patientId, doc: Automerge.from({ x: 1 }) }])).toBe(0);
		expect(await h.store.manifest()).toEqual(manifest);
		const other = new SyncHub(h.store, { log: () => undefined });
		await expect(other.seedIfEmpty([])).resolves.toBe(0);
		await other.close();
	});
});
