import * as Automerge from '@automerge/automerge';
import { encode } from 'cborg';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { demoPatients, pal } from '$lib/fixtures';
import { encodeMessage, PROTOCOL_VERSION } from '$lib/sync/protocol';
import { TestDevice } from './test-device';
import { flakyStore, freshDevice, harnessesPerTest, storedDoc } from './test-support';

const palPlan = planDocId(pal.patientId);
const open = harnessesPerTest();

describe('SyncHub: what it refuses and what it does not acknowledge', () => {
	it('refuses bad frames and messages with a reason, storing nothing, while another device keeps syncing', async () => {
		const h = await open();
		const [bad, good] = [await freshDevice(h), await freshDevice(h)];
		const stranger = new TestDevice('tablet-new').connect(h.hub);
		const unknown = planDocId(randomUUID() as PatientId);
		const undecodable = Uint8Array.of(0x42, 1, 2, 3);
		const badChange = Automerge.encodeSyncMessage({ heads: [], need: [], have: [{ lastSync: [], bloom: new Uint8Array() }], changes: [Uint8Array.of(0x85, 0x6f, 0x4a, 0x83, 9, 9, 9, 9)] });
		const hello = encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'x', digest: 'ab', empty: false });
		const manifest = await h.store.manifest();
		const chunks = await h.store.chunks(palPlan);
		stranger.send({ type: 'sync', docs: [{ docId: palPlan, message: undecodable }] });
		bad.send({ type: 'sync', docs: [{ docId: palPlan, message: undecodable }] });
		bad.send({ type: 'sync', docs: [{ docId: palPlan, message: badChange }] });
		bad.sendRaw(Uint8Array.from({ length: 64 }, (_, i) => (i * 73 + 41) % 256));
		bad.sendRaw(hello.slice(0, hello.length - 3));
		bad.sendRaw(encode({ type: 'teleport' }));
		bad.send({ type: 'fetch', docIds: [unknown] });
		good.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Alta'));
		good.sync([palPlan]);
		await Promise.all([bad.settle(), good.settle(), stranger.settle()]);
		const refused = bad.received('refused').map((m) => [m.reason, m.docId]);
		// Change bytes that are no Automerge change are refused before Automerge sees them (it would drop them silently).
		expect(refused).toEqual([
			['sync-message-invalid', palPlan],
			['sync-message-invalid', palPlan],
			['frame-malformed', null],
			['frame-malformed', null],
			['message-unknown', null],
			['document-unknown', unknown]
		]);
		expect(stranger.received('refused').map((m) => m.reason)).toEqual(['hello-required']);
		expect(await h.store.manifest([])).toEqual([]);
		expect((await h.store.manifest()).filter((d) => d.docId !== palPlan)).toEqual(manifest.filter((d) => d.docId !== palPlan));
		expect((await storedDoc<Plan>(h.store, palPlan)).patient.municipality).toBe('Alta');
		expect(good.acked.has(palPlan)).toBe(true);
		// Pål's plan holds its genesis and the good device's change, nothing of the bad device's.
		expect(Automerge.getAllChanges(await storedDoc(h.store, palPlan))).toHaveLength(Automerge.getAllChanges(Automerge.load(chunks[0]?.bytes ?? new Uint8Array())).length + 1);
		const logged = JSON.stringify(h.events);
		for (const p of demoPatients) expect(logged).not.toContain(p.patient.name);
	});

	it('closes a session after more than 20 bad frames', async () => {
		const h = await open();
		const device = await freshDevice(h);
		const sessions = h.hub.stats.sessions;
		for (let i = 0; i < 21; i++) device.sendRaw(Uint8Array.of(0xff));
		await device.settle();
		expect(device.disconnected).toBe(true);
		expect(h.hub.stats.sessions).toBe(sessions - 1);
		const answered = device.inbox.length;
		device.send({ type: 'ping' });
		await device.settle();
		expect(device.inbox.length).toBe(answered);
	});

	it('does not acknowledge a change the store failed to commit, and takes it on a reconnect', async () => {
		let flaky!: ReturnType<typeof flakyStore>;
		const h = await open({}, (s) => (flaky = flakyStore(s)));
		const device = await freshDevice(h);
		flaky.failing = true;
		device.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Tromsø'));
		device.sync([palPlan]);
		await device.settle();
		expect(device.received('refused').map((m) => [m.reason, m.docId])).toEqual([['server-error', palPlan]]);
		expect(device.acked.size).toBe(0);
		expect((await storedDoc<Plan>(h.store, palPlan)).patient.municipality).not.toBe('Tromsø');
		flaky.failing = false;
		device.connect(h.hub);
		device.hello();
		device.sync([palPlan]);
		await device.settle();
		expect(device.acked.get(palPlan)).toEqual(Automerge.getHeads(device.docs.get(palPlan) ?? Automerge.init()));
		expect((await storedDoc<Plan>(h.store, palPlan)).patient.municipality).toBe('Tromsø');
	});
});
