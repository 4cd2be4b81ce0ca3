import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type ItemId, type Month } from '$lib/domain/ids';
import { correctRecord, newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import { addMeasure } from '$lib/domain/plan-ops';
import type { Context, LogEntry, MeasureLog, Plan } from '$lib/domain/plan';
import { clinicians, pal } from '$lib/fixtures';
import type { RefusalRule } from '$lib/sync/protocol';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import { freshDevice, harnessesPerTest, storedDoc, type Harness } from './test-support';
import type { TestDevice } from './test-device';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const bodoGp = userOf(clinicians.bodoGp.id);
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const NOVEMBER = '2026-11' as Month;
const logId = logDocId(pal.patientId, NOVEMBER);
const AT = '2026-11-20T07:40:00.000Z';
const ctx = (user: User): Context => ({ by: personRefOf(user), at: '2026-11-20T09:00:00.000Z' });
const refusals = (d: TestDevice) => d.received('refused').map((m) => [m.reason, m.docId, m.detail?.split(':', 1)[0]]);
const record = crypto.randomUUID() as ItemId;
const fix = crypto.randomUUID() as ItemId;

/** The Rana nurse records Pål's eye drops as done and the register takes it. */
async function nurseRecorded(h: Harness): Promise<TestDevice> {
	const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
	const first = Automerge.change(genesis(logId, newMeasureLog(pal.patientId, NOVEMBER)), (l: MeasureLog) =>
		recordMeasure(l, record, { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: 'Gikk fint' }, ctx(ranaNurse))
	);
	nurse.docs.set(logId, first as Automerge.Doc<unknown>);
	nurse.sync([logId]);
	await nurse.settle();
	expect(refusals(nurse)).toEqual([]);
	return nurse;
}

type Edit = (l: MeasureLog) => void;

/** A correcting entry written directly, as a device that skips the domain's checks would. */
const rawCorrection = (by: User, over: Partial<LogEntry> = {}): Edit => (l) => {
	l.entries[fix] = { ...(JSON.parse(JSON.stringify(l.entries[record])) as LogEntry), id: fix, outcome: 'not-done', reason: 'Nektet', by: personRefOf(by), recordedAt: AT, corrects: record, correctionReason: 'Feil knapp', ...over };
};

const refused: [what: string, who: 'gp' | 'nurse', edit: Edit, rule: RefusalRule][] = [
	['the GP’s device rewrites the nurse’s “done” as “not done”', 'gp', (l) => void (l.entries[record]!.outcome = 'not-done'), 'record-fixed'],
	['the nurse rewrites her own note', 'nurse', (l) => void (l.entries[record]!.note = 'Noe annet'), 'record-fixed'],
	['the GP’s device removes the nurse’s record', 'gp', (l) => void delete l.entries[record], 'record-fixed'],
	['the GP’s device empties the log', 'gp', (l) => void (l.entries = {}), 'record-fixed'],
	['the GP corrects the nurse’s record', 'gp', rawCorrection(bodoGp), 'correction-by-another'],
	['the nurse corrects a record that is not in the log', 'nurse', rawCorrection(ranaNurse, { corrects: crypto.randomUUID() as ItemId }), 'correction-of-unknown'],
	['the nurse “corrects” her record as another measure’s', 'nurse', rawCorrection(ranaNurse, { measureId: crypto.randomUUID() as ItemId }), 'correction-of-unknown'],
	['the nurse corrects without a reason', 'nurse', rawCorrection(ranaNurse, { correctionReason: ' ' }), 'correction-reason-required']
];

describe('SyncHub: a visit record is never rewritten, only corrected by its author', () => {
	it.each(refused)('refuses it when %s, keeping the record as it was', async (_case, who, edit, rule) => {
		const h = await open();
		const nurse = await nurseRecorded(h);
		const device = who === 'nurse' ? nurse : await freshDevice(h, 'gp-tablet', bodoGp);
		const before = await storedDoc<MeasureLog>(h.store, logId);
		device.change<MeasureLog>(logId, edit);
		device.sync([logId]);
		await device.settle();
		expect(refusals(device)).toEqual([['change-refused', logId, rule]]);
		const stored = await storedDoc<MeasureLog>(h.store, logId);
		expect(Automerge.getHeads(stored)).toEqual(Automerge.getHeads(before));
		expect(stored.entries[record]).toMatchObject({ outcome: 'done', note: 'Gikk fint', by: personRefOf(ranaNurse) });
	});

	it('takes the author’s correction as a new entry, the original untouched, and sends it on to the care team', async () => {
		const h = await open();
		const nurse = await nurseRecorded(h);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		nurse.change<MeasureLog>(logId, (l) => correctRecord(l, fix, record, { outcome: 'not-done', at: AT, note: '', reason: 'Pasienten nektet', correctionReason: 'Trykket feil' }, ctx(ranaNurse)));
		nurse.sync([logId]);
		await Promise.all([nurse.settle(), gp.settle()]);
		expect(refusals(nurse)).toEqual([]);
		const stored = await storedDoc<MeasureLog>(h.store, logId);
		expect(stored.entries[record]).toMatchObject({ outcome: 'done', note: 'Gikk fint' });
		expect(stored.entries[fix]).toMatchObject({ outcome: 'not-done', corrects: record, correctionReason: 'Trykket feil' });
		expect((gp.docs.get(logId) as Automerge.Doc<MeasureLog>).entries[fix]?.corrects).toBe(record);
	});

	it('refuses a patient’s rewrite of their own self-treatment report too', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const walk = crypto.randomUUID() as ItemId;
		gp.change<Plan>(planDocId(pal.patientId), (p) =>
			addMeasure(p, walk, { title: 'Gå tur', description: '', category: { kind: 'text', text: 'Aktivitet' }, timing: { kind: 'as-needed' }, performer: { kind: 'patient' }, addresses: [], pllReference: null }, ctx(bodoGp))
		);
		gp.sync([planDocId(pal.patientId)]);
		await gp.settle();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		const first = Automerge.change(genesis(logId, newMeasureLog(pal.patientId, NOVEMBER)), (l: MeasureLog) =>
			recordMeasure(l, record, { outcome: 'done', measureId: walk, at: AT, slot: null, note: 'Rundt huset' }, ctx(palUser))
		);
		phone.docs.set(logId, first as Automerge.Doc<unknown>);
		phone.sync([logId]);
		await phone.settle();
		expect(refusals(phone)).toEqual([]);
		phone.change<MeasureLog>(logId, (l) => void (l.entries[record]!.note = 'Til butikken'));
		phone.sync([logId]);
		await phone.settle();
		expect(refusals(phone)).toEqual([['change-refused', logId, 'record-fixed']]);
		expect((await storedDoc<MeasureLog>(h.store, logId)).entries[record]?.note).toBe('Rundt huset');
	});
});
