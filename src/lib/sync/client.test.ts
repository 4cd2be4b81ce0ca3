import * as A from '@automerge/automerge/slim';
import { encode } from 'cborg';
import { describe, expect, it, vi } from 'vitest';
import { logDocId, type DocumentId, type ItemId } from '$lib/domain/ids';
import { logMonthOf, recordMeasure } from '$lib/domain/measure-log';
import { addPlanComment } from '$lib/domain/plan-ops';
import type { Context, Plan } from '$lib/domain/plan';
import { clinicians, pal, solveig } from '$lib/fixtures';
import { encodeMessage } from './protocol';
import { standInPair as setup } from './stand-in-pair';
import type { SyncProgress } from './sync-state';

const NOW = '2026-10-05T08:00:00.000Z';
const { id, name, role, organisation } = clinicians.ranaNurse;
const nurse: Context = { by: { id, name, role, organisation }, at: NOW };
const palPlan = `plan:${pal.patientId}` as DocumentId;
const solveigPlan = `plan:${solveig.patientId}` as DocumentId;

function comment(text: string) {
	return (p: Plan) => addPlanComment(p, crypto.randomUUID() as ItemId, text, nurse);
}

function comments(doc: A.Doc<unknown> | undefined): string[] {
	return Object.values((doc as A.Doc<Plan> | undefined)?.comments ?? {}).map((c) => c.text);
}

describe('SyncClient', () => {
	it('loads everything onto a fresh device in one round trip, showing progress frame by frame', async () => {
		const { server, repo, client, open, step, pump, connect } = setup();
		server.snapshotsPerFrame = 2;
		const progress: (SyncProgress | null)[] = [];
		client.subscribe((s) => progress.push(s.progress));
		await open();
		// The hello out, the welcome in; then the snapshot frames one at a time.
		await step(1);
		while (server.outbox.length) await step(1);
		await pump();

		expect(server.inbox.map((m) => m.type)).toEqual(['hello']);
		expect(server.inbox[0]).toMatchObject({ empty: true, peerId: 'device-1' });
		expect(progress.filter((p) => p !== null)).toEqual([
			{ received: 0, total: 6 },
			{ received: 2, total: 6 },
			{ received: 4, total: 6 }
		]);
		expect(client.state).toMatchObject({ phase: 'up-to-date', progress: null, refusals: [] });
		expect(client.state.lastSyncedAt).not.toBeNull();
		expect(await repo.lastSyncedAt()).toBe(client.state.lastSyncedAt);
		expect((await repo.listPatients()).map((p) => p.patientId).sort()).toEqual([...server.docs.keys()].map((id) => id.slice(5)).sort());
		const opened = await repo.openPatient(pal.patientId, NOW);
		expect(opened.ok && opened.value.plan).toEqual(A.toJS(server.docs.get(palPlan) ?? A.init()));

		// Reconnecting with nothing changed: one hello, one welcome.
		server.inbox.length = 0;
		await connect();
		expect(server.inbox.map((m) => m.type)).toEqual(['hello']);
		expect(client.state.phase).toBe('up-to-date');
	});

	it('stores snapshot frames that arrive while earlier ones are being stored in one transaction', async () => {
		const { server, repo, client, connect } = setup();
		server.snapshotsPerFrame = 2;
		const imports = vi.spyOn(repo, 'importSnapshots');
		const progress: (SyncProgress | null)[] = [];
		client.subscribe((s) => progress.push(s.progress));
		// Every frame is queued at once: the three snapshot frames wait behind the welcome.
		await connect();

		expect(imports).toHaveBeenCalledTimes(1);
		expect(imports.mock.calls[0]![0].map((d) => d.docId).sort()).toEqual([...server.docs.keys()].sort());
		expect(progress.filter((p) => p !== null)).toEqual([{ received: 0, total: 6 }]);
		expect(client.state).toMatchObject({ phase: 'up-to-date', progress: null, refusals: [] });
		expect((await repo.listPatients()).map((p) => p.patientId).sort()).toEqual([...server.docs.keys()].map((id) => id.slice(5)).sort());
	});

	it('sends a change made offline, and clears the unsynced mark on the ack', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		await repo.changePlan(pal.patientId, nurse, comment('Skrevet uten nett'));
		const month = logMonthOf(NOW);
		const entry = { outcome: 'done' as const, measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: '' };
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, crypto.randomUUID() as ItemId, entry, nurse));
		expect((await repo.unsyncedDocs()).length).toBe(2);

		const before = client.state.lastSyncedAt;
		await connect();
		expect(comments(server.docs.get(palPlan))).toContain('Skrevet uten nett');
		expect(server.docs.has(logDocId(pal.patientId, month))).toBe(true);
		expect(await repo.unsyncedDocs()).toEqual([]);
		expect(client.state.phase).toBe('up-to-date');
		expect(client.state.lastSyncedAt).not.toBe(before);
	});

	it('keeps the mark when a change is made after sending and before the ack', async () => {
		const { server, repo, client, pump, connect } = setup();
		await connect();
		server.holdAcks = true;
		await repo.changePlan(pal.patientId, nurse, comment('Første'));
		await client.localChanged();
		await pump();
		expect(comments(server.docs.get(palPlan))).toContain('Første');
		await repo.changePlan(pal.patientId, nurse, comment('Andre'));

		server.releaseAcks(1);
		await pump();
		expect(await repo.unsyncedDocs()).toEqual([palPlan]);
		expect(client.state.phase).not.toBe('up-to-date');

		server.holdAcks = false;
		await client.localChanged();
		await pump();
		expect(comments(server.docs.get(palPlan))).toContain('Andre');
		expect(await repo.unsyncedDocs()).toEqual([]);
		expect(client.state.phase).toBe('up-to-date');
	});

	it('brings a change made on the server to the connected device', async () => {
		const { server, repo, client, pump, connect } = setup();
		await connect();
		server.change<Plan>(solveigPlan, comment('Fra fastlegen'));
		await pump();
		const opened = await repo.openPatient(solveig.patientId, NOW);
		expect(opened.ok && Object.values(opened.value.plan.comments).map((c) => c.text)).toContain('Fra fastlegen');
		expect(await repo.unsyncedDocs()).toEqual([]);
		expect(client.state.phase).toBe('up-to-date');
	});

	it('sets a refused version aside, stops sending it, and goes on from the server’s version', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		server.refuse.set(palPlan, 'change-refused');
		await repo.changePlan(pal.patientId, nurse, comment('Ikke tillatt'));
		await connect();

		// Kept aside, with what the register did not take and the whole refused version.
		const [row, ...more] = await repo.setAsideList();
		expect(more).toEqual([]);
		expect(row).toMatchObject({ docId: palPlan, patientId: pal.patientId, patientName: pal.patient.name, reason: 'change-refused', detail: 'stand-in' });
		expect(row?.changes).toEqual([{ area: 'comments', action: 'added', label: 'Ikke tillatt', id: expect.any(String) }]);
		expect(comments(A.load(row!.bytes!))).toContain('Ikke tillatt');
		// The device holds the register's version again, with nothing unsent: sync is done.
		expect(await repo.unsyncedDocs()).toEqual([]);
		const opened = await repo.openPatient(pal.patientId, NOW);
		expect(opened.ok && opened.value.plan).toEqual(A.toJS(server.docs.get(palPlan)!));
		expect(client.state).toMatchObject({ phase: 'up-to-date', refusals: [] });
		expect(server.inbox.filter((m) => m.type === 'fetch')).toEqual([{ type: 'fetch', docIds: [palPlan] }]);

		// Never sent again; and the document keeps syncing once a change is allowed.
		server.inbox.length = 0;
		await connect();
		expect(server.inbox.some((m) => m.type === 'sync' && m.docs.some((d) => d.docId === palPlan))).toBe(false);
		server.refuse.delete(palPlan);
		await repo.changePlan(pal.patientId, nurse, comment('Tillatt nå'));
		await client.localChanged();
		await connect();
		expect(comments(server.docs.get(palPlan))).toContain('Tillatt nå');
		expect(comments(server.docs.get(palPlan))).not.toContain('Ikke tillatt');
		expect(await repo.unsyncedDocs()).toEqual([]);
		expect((await repo.setAsideList()).length).toBe(1);
	});

	it('keeps a change the server could not store unsent, and sends it again', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		server.refuse.set(palPlan, 'server-error');
		await repo.changePlan(pal.patientId, nurse, comment('Prøv igjen'));
		await connect();
		expect(client.state.refusals).toMatchObject([{ reason: 'server-error', docId: palPlan }]);
		expect(client.state.phase).toBe('error');
		expect(await repo.unsyncedDocs()).toEqual([palPlan]);
		expect(await repo.setAsideList()).toEqual([]);

		server.refuse.delete(palPlan);
		await connect();
		expect(comments(server.docs.get(palPlan))).toContain('Prøv igjen');
		expect(await repo.unsyncedDocs()).toEqual([]);
	});

	it('sets aside a refused log the register never held, without asking for it', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		const logId = logDocId(pal.patientId, logMonthOf(NOW));
		server.refuse.set(logId, 'change-refused');
		const entry = { outcome: 'done' as const, measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: '' };
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, crypto.randomUUID() as ItemId, entry, nurse));
		expect((await repo.listPatients()).find((p) => p.patientId === pal.patientId)?.records).not.toEqual({});
		await connect();

		const [row] = await repo.setAsideList();
		expect(row).toMatchObject({ docId: logId, kind: 'log', patientName: pal.patient.name });
		expect(row?.changes.filter((c) => c.area === 'records')).toEqual([{ area: 'records', action: 'added', label: 'Øyedråper daglig', id: expect.any(String) }]);
		expect(server.inbox.some((m) => m.type === 'fetch')).toBe(false);
		expect(client.state).toMatchObject({ phase: 'up-to-date', refusals: [] });
		// The list no longer counts the refused record, and Pål stays on the device.
		const listed = (await repo.listPatients()).find((p) => p.patientId === pal.patientId);
		expect(listed).toMatchObject({ unsynced: false, records: {} });
	});

	it('sets aside unsent work on a patient whose access ended, then purges the patient', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		await repo.changePlan(pal.patientId, nurse, comment('Før tilgangen ble borte'));
		server.forbidden.add(palPlan).add(solveigPlan);
		await connect();

		const listed = (await repo.listPatients()).map((p) => p.patientId);
		expect(listed).not.toContain(pal.patientId);
		expect(listed).not.toContain(solveig.patientId);
		expect(await repo.openPatient(pal.patientId, NOW)).toEqual({ ok: false, reason: 'document-missing' });
		expect(await repo.unsyncedDocs()).toEqual([]);
		// What she wrote is kept, as text; the plan itself has left the device.
		const [row] = await repo.setAsideList();
		expect(row).toMatchObject({ docId: palPlan, patientName: pal.patient.name, reason: 'document-forbidden', bytes: null });
		expect(row?.changes.map((c) => c.label)).toEqual(['Før tilgangen ble borte']);
		expect(client.state).toMatchObject({ phase: 'up-to-date', refusals: [] });
	});

	it('keeps the whole refused plan when only a log is forbidden while the plan waits to be fetched again', async () => {
		// A read-only proxy: his comment is refused, his visit record is forbidden; he may still read the plan.
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		const logId = logDocId(pal.patientId, logMonthOf(NOW));
		server.refuse.set(palPlan, 'change-refused');
		server.forbidden.add(logId);
		await repo.changePlan(pal.patientId, nurse, comment('Avvist, men planen kan leses'));
		const entry = { outcome: 'done' as const, measureId: pal.measures.eyeDrops, at: NOW, slot: '08:00', note: '' };
		await repo.changeLog(pal.patientId, NOW, nurse, (log) => recordMeasure(log, crypto.randomUUID() as ItemId, entry, nurse));
		await connect();

		const rows = await repo.setAsideList();
		expect(rows.map((r) => [r.docId, r.reason])).toEqual(
			expect.arrayContaining([
				[palPlan, 'change-refused'],
				[logId, 'document-forbidden']
			])
		);
		expect(comments(A.load(rows.find((r) => r.docId === palPlan)!.bytes!))).toContain('Avvist, men planen kan leses');
		// Pål stays on the device with the register's plan.
		expect((await repo.listPatients()).map((p) => p.patientId)).toContain(pal.patientId);
		const opened = await repo.openPatient(pal.patientId, NOW);
		expect(opened.ok && opened.value.plan).toEqual(A.toJS(server.docs.get(palPlan)!));
		expect(client.state).toMatchObject({ phase: 'up-to-date', refusals: [] });
	});

	it('drops the whole copy of an earlier refused version when the patient is purged, keeping what was refused', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		client.stop('offline');
		server.refuse.set(solveigPlan, 'change-refused');
		await repo.changePlan(solveig.patientId, nurse, comment('Avvist først'));
		await connect();
		expect((await repo.setAsideList())[0]?.bytes).not.toBeNull();

		server.forbidden.add(solveigPlan);
		await connect();
		expect((await repo.listPatients()).map((p) => p.patientId)).not.toContain(solveig.patientId);
		const [row] = await repo.setAsideList();
		expect(row).toMatchObject({ docId: solveigPlan, bytes: null, patientName: solveig.patient.name });
		expect(row?.changes.map((c) => c.label)).toEqual(['Avvist først']);

		await repo.discardSetAside(row!.id!);
		expect(await repo.setAsideList()).toEqual([]);
	});

	it('ignores bad frames from the server with a recorded reason, and goes on', async () => {
		const { server, repo, client, pump, connect } = setup();
		await connect();
		await client.receive(new Uint8Array([0xff, 0x00, 0x13]));
		await client.receive(encodeMessage({ type: 'sync', docs: [] }).slice(0, 3));
		await client.receive(encode({ type: 'sync', docs: 'none' }));
		await client.receive(encode({ type: 'surprise' }));
		await client.receive(encodeMessage({ type: 'sync', docs: [{ docId: palPlan, message: new Uint8Array([0x42, 7]) }] }));
		expect(client.state.refusals.map((r) => r.reason)).toEqual(['frame-malformed', 'frame-malformed', 'message-invalid', 'message-unknown', 'sync-message-invalid']);

		await repo.changePlan(pal.patientId, nurse, comment('Etter støyen'));
		await client.localChanged();
		await pump();
		expect(comments(server.docs.get(palPlan))).toContain('Etter støyen');
		expect(await repo.unsyncedDocs()).toEqual([]);
	});

	it('drops frames queued for a connection that has ended', async () => {
		const { server, repo, client, connect } = setup();
		await connect();
		server.change<Plan>(solveigPlan, comment('For sent'));
		const late = server.outbox.splice(0);
		client.stop('offline');
		for (const f of late) await client.receive(f);
		const opened = await repo.openPatient(solveig.patientId, NOW);
		expect(opened.ok && Object.values(opened.value.plan.comments).map((c) => c.text)).not.toContain('For sent');
		expect(client.state.phase).toBe('offline');
	});
});
