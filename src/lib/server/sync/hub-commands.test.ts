import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { Command } from '$lib/domain/commands';
import { documentOf } from '$lib/domain/commands';
import { planDocId, type DocumentId, type ItemId } from '$lib/domain/ids';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { clinicians, pal, relatives } from '$lib/fixtures';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import type { DocumentStore } from '$lib/server/store';
import { principalFor } from './access';
import { freshDevice, harnessesPerTest, storedDoc } from './test-support';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const altaNurse = userOf(clinicians.altaNurse.id);
const bodoGp = userOf(clinicians.bodoGp.id);
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const daughter = userOf(relatives.palDaughter.id);
const palPlan = planDocId(pal.patientId);
const newId = () => crypto.randomUUID() as ItemId;

/** The message of the change at the head of a stored document: what its history names it. */
async function headMessage(store: DocumentStore, docId: DocumentId): Promise<string | null> {
	const doc = await storedDoc(store, docId);
	const [head] = Automerge.getHeads(doc);
	return Automerge.getAllChanges(doc).map(Automerge.decodeChange).find((c) => c.hash === head)?.message ?? null;
}

const chunkKeys = async (store: DocumentStore, docId: DocumentId) => (await store.chunks(docId)).map((c) => c.key).sort();

describe('SyncHub.run: a command given on the server goes through the one write path', () => {
	it('stores a nurse’s command in her name, logs it, and sends it at once to connected devices of other users', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const phone = await freshDevice(h, 'hanne-phone', daughter);
		const nurse = await principalFor(h.store, 'fhir-client', ranaNurse);
		const commentId = newId();
		const comment: Command = { type: 'add-measure-comment', measureId: pal.measures.eyeDrops, id: commentId, text: 'Datteren sier synet virker dårligere.' };

		expect(await h.hub.run(nurse, pal.patientId, comment)).toEqual({ ok: true, docId: palPlan, changed: true });
		await Promise.all([gp.settle(), phone.settle()]);
		const onGpTablet = gp.docs.get(palPlan) as Automerge.Doc<Plan>;
		expect(onGpTablet.measures[pal.measures.eyeDrops]?.comments[commentId]).toMatchObject({ text: comment.text, by: personRefOf(ranaNurse) });
		expect(await headMessage(h.store, palPlan)).toBe('add-measure-comment');
		const lines = await h.store.audit(pal.patientId);
		expect(lines.some((l) => l.action === 'change' && l.docId === palPlan && l.who.id === ranaNurse.id && l.basis === 'care-team')).toBe(true);

		// A visit record starts the month's log on the server as a device would; the daughter's phone gets it.
		const at = new Date().toISOString();
		const visit: Command = { type: 'record-visit', id: newId(), record: { outcome: 'done', measureId: pal.measures.eyeDrops, at, slot: null, note: '' } };
		const logId = documentOf(pal.patientId, visit);
		expect(await h.hub.run(nurse, pal.patientId, visit)).toEqual({ ok: true, docId: logId, changed: true });
		await phone.settle();
		const onPhone = phone.docs.get(logId) as Automerge.Doc<MeasureLog> | undefined;
		expect(Object.values(onPhone?.entries ?? {}).map((e) => [e.measureId, e.by.name])).toEqual([[pal.measures.eyeDrops, ranaNurse.name]]);
		expect(await headMessage(h.store, logId)).toBe('record-visit');
	});

	it('refuses a clinician’s command run by the patient: nothing stored, nothing sent, the refusal in the access log', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const before = await chunkKeys(h.store, palPlan);
		const heard = gp.inbox.length;
		const patient = await principalFor(h.store, 'pal-phone', palUser);

		const outcome = await h.hub.run(patient, pal.patientId, { type: 'set-measure-status', id: pal.measures.eyeDrops, status: 'completed' });
		expect(outcome).toMatchObject({ ok: false, reason: 'change-refused' });
		expect(!outcome.ok && outcome.detail).toMatch(/^owned-by-care-team: measures\//);
		await gp.settle();
		expect(await chunkKeys(h.store, palPlan)).toEqual(before);
		expect(gp.inbox.length).toBe(heard);
		expect((await h.store.audit(pal.patientId)).filter((l) => l.action === 'refused').map((l) => l.who.id)).toEqual([palUser.id]);

		// What the patient may write goes through the same path.
		expect(await h.hub.run(patient, pal.patientId, { type: 'add-what-matters', id: newId(), text: 'Å bo hjemme', writtenAs: 'patient' })).toMatchObject({ ok: true, changed: true });
		expect(await headMessage(h.store, palPlan)).toBe('add-what-matters');
	});

	it('takes the GP’s mark of the nurse’s comment as entered in error, stamped, and sends it on; a patient may mark only a patient’s entry', async () => {
		const h = await open();
		const nurseTablet = await freshDevice(h, 'nurse-tablet', ranaNurse);
		const nurse = await principalFor(h.store, 'fhir-client', ranaNurse);
		const gp = await principalFor(h.store, 'gp-client', bodoGp);
		const patient = await principalFor(h.store, 'pal-phone', palUser);
		const commentId = newId();
		await h.hub.run(nurse, pal.patientId, { type: 'add-plan-comment', id: commentId, text: 'Feil pasient, beklager.' });
		const mark = (id: ItemId, reason = 'Gjaldt en annen pasient'): Command => ({ type: 'mark-entered-in-error', place: { kind: 'plan-comment', id }, reason });

		const byPatient = await h.hub.run(patient, pal.patientId, mark(commentId));
		expect(!byPatient.ok && byPatient.detail).toMatch(/^written-by-clinician: comments\//);
		expect(await h.hub.run(gp, pal.patientId, mark(commentId))).toEqual({ ok: true, docId: palPlan, changed: true });
		await nurseTablet.settle();
		const seen = (nurseTablet.docs.get(palPlan) as Automerge.Doc<Plan>).comments[commentId];
		expect(seen).toMatchObject({ text: 'Feil pasient, beklager.', by: personRefOf(ranaNurse), status: 'entered-in-error', errorStamp: { by: personRefOf(bodoGp), reason: 'Gjaldt en annen pasient' } });
		expect(await headMessage(h.store, palPlan)).toBe('mark-entered-in-error');

		const own = newId();
		await h.hub.run(patient, pal.patientId, { type: 'add-plan-comment', id: own, text: 'Skrev feil.' });
		expect(await h.hub.run(patient, pal.patientId, mark(own, 'Skrev feil dag'))).toMatchObject({ ok: true, changed: true });
	});

	it('refuses bad input with a reason and the path, and a patient the user may not see, storing nothing', async () => {
		const h = await open();
		const before = await chunkKeys(h.store, palPlan);
		const nurse = await principalFor(h.store, 'fhir-client', ranaNurse);
		const run = (command: unknown, principal = nurse) => h.hub.run(principal, pal.patientId, command);

		expect(await run({ type: 'add-plan-comment', id: newId(), text: 7 })).toEqual({ ok: false, reason: 'message-invalid', detail: expect.stringMatching(/^command-invalid: text: /) });
		expect(await run({ type: 'erase-plan' })).toMatchObject({ ok: false, reason: 'message-invalid', detail: expect.stringMatching(/^command-invalid: type: /) });
		expect(await run({ type: 'set-measure-status', id: newId(), status: 'completed' })).toMatchObject({ ok: false, reason: 'message-invalid', detail: expect.stringMatching(/^command-not-applicable: unknown measure/) });
		expect(await run({ type: 'add-plan-comment', id: newId(), text: 'Fra Alta' }, await principalFor(h.store, 'alta', altaNurse))).toMatchObject({ ok: false, reason: 'document-forbidden' });
		expect(await run({ type: 'add-plan-comment', id: newId(), text: 'Uten bruker' }, await principalFor(h.store, 'anonymous', null))).toMatchObject({ ok: false, reason: 'document-forbidden' });
		expect(await chunkKeys(h.store, palPlan)).toEqual(before);
	});

	it('tells a connected tablet whose user the command takes off the care team, as a synced change does', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const gp = await principalFor(h.store, 'fhir-client', bodoGp);

		expect(await h.hub.run(gp, pal.patientId, { type: 'end-care-team-membership', id: pal.careTeam.nurse })).toMatchObject({ ok: true, changed: true });
		await rana.settle();
		expect(rana.closeCode).toBe(4001);
		rana.connect(h.hub).hello();
		await rana.settle();
		expect(rana.received('welcome').at(-1)?.manifest.map(([id]) => id)).not.toContain(palPlan);
	});
});
