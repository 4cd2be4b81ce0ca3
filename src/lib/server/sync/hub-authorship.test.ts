import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type ItemId, type Month } from '$lib/domain/ids';
import { correctRecord, newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { Context, LogEntry, MeasureLog, Plan } from '$lib/domain/plan';
import { addCareTeamMember, addMeasure, addPlanComment, addWhatMatters, markEnteredInError, setMeasureStatus } from '$lib/domain/plan-ops';
import { clinicians, pal, relatives } from '$lib/fixtures';
import type { RefusalRule } from '$lib/sync/protocol';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import { freshDevice, harnessesPerTest, storedDoc, type Harness } from './test-support';
import type { TestDevice } from './test-device';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const bodoGp = userOf(clinicians.bodoGp.id);
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const daughter = userOf(relatives.palDaughter.id);
/** Another nurse of the same name, role and organisation as the Rana nurse: a different person (synthetic). */
const namesake: User = { ...ranaNurse, id: 'c9f0e1d2-3b4a-4c5d-8e6f-7a8b9c0d1e2f', hpr: '990000909' };
/** Another relative of the same name as Pål's daughter, also holding a proxy for him (synthetic). */
const namesakeRelative: User = { ...daughter, id: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d' };
const palPlan = planDocId(pal.patientId);
const NOVEMBER = '2026-11' as Month;
const logId = logDocId(pal.patientId, NOVEMBER);
const AT = '2026-11-20T09:00:00.000Z';
const ctx = (user: User): Context => ({ by: personRefOf(user), at: AT });
const rules = (d: TestDevice) => d.received('refused').map((m) => m.detail?.split(':', 1)[0]);

/** Sends what `device` changed in `docId`, and waits for the register's answer. */
async function push(device: TestDevice, docId = palPlan): Promise<void> {
	device.sync([docId]);
	await device.settle();
}

/** The GP puts the Rana nurse's namesake on Pål's care team, so her tablet gets his plan. */
async function namesakeOnTeam(h: Harness): Promise<TestDevice> {
	const gp = await freshDevice(h, 'gp-tablet', bodoGp);
	gp.change<Plan>(palPlan, (p) => addCareTeamMember(p, crypto.randomUUID() as ItemId, { name: namesake.name, role: 'home-care', organisation: namesake.organisation ?? '', personId: namesake.id }, ctx(bodoGp)));
	await push(gp);
	expect(rules(gp)).toEqual([]);
	return freshDevice(h, 'namesake-tablet', namesake);
}

describe('SyncHub: a stamp names the user by id, not by name', () => {
	it('refuses a nurse stamping as her namesake colleague (same name, role and organisation), in the plan and in a visit record; her own stamp is taken', async () => {
		const h = await open();
		const tablet = await namesakeOnTeam(h);
		const before = Automerge.getHeads(await storedDoc(h.store, palPlan));
		tablet.change<Plan>(palPlan, (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', ctx(ranaNurse)));
		await push(tablet);
		expect(tablet.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another: measures/);
		expect(Automerge.getHeads(await storedDoc(h.store, palPlan))).toEqual(before);

		tablet.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, NOVEMBER)), (l: MeasureLog) =>
			recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '' }, ctx(ranaNurse))
		) as Automerge.Doc<unknown>);
		await push(tablet, logId);
		expect(tablet.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another: entries/);

		// A real device sets its refused version aside; this stand-in would offer it again, so it leaves.
		tablet.disconnect();
		const next = await freshDevice(h, 'namesake-tablet-2', namesake);
		next.change<Plan>(palPlan, (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', ctx(namesake)));
		await push(next);
		expect(rules(next)).toEqual([]);
		expect((await storedDoc<Plan>(h.store, palPlan)).measures[pal.measures.eyeDrops]?.status.by).toEqual({ id: namesake.id, name: namesake.name, role: 'home-care', organisation: namesake.organisation, hpr: namesake.hpr });
	});

	it('refuses a stamp written now without an id, even in the user’s own name', async () => {
		const h = await open();
		const tablet = await freshDevice(h, 'rana-tablet', ranaNurse);
		const { name, role, organisation } = ranaNurse;
		tablet.change<Plan>(palPlan, (p) => {
			p.measures[pal.measures.eyeDrops]!.status = { value: 'on-hold', by: { name, role, organisation }, at: AT };
		});
		await push(tablet);
		expect(tablet.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another: measures/);
	});
});

describe('SyncHub: a comment or "what matters" entry belongs to its author', () => {
	const mine = crypto.randomUUID() as ItemId;

	/** Pål writes what matters to him from his phone, and the register takes it. */
	async function palWrote(h: Harness): Promise<void> {
		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => addWhatMatters(p, mine, 'Å gå tur med hunden', 'patient', ctx(palUser)));
		await push(phone);
		expect(rules(phone)).toEqual([]);
	}

	const refused: [what: string, edit: (p: Plan) => void, rule: RefusalRule][] = [
		['rewrites the patient’s “what matters”', (p) => void (p.whatMatters[mine]!.text = 'Å ta dråpene hver dag'), 'written-by-another'],
		['deletes the patient’s “what matters”', (p) => void delete p.whatMatters[mine], 'written-by-another'],
		['empties “what matters”', (p) => void (p.whatMatters = {}), 'written-by-another'],
		['rewrites the eye doctor’s comment on the plan', (p) => void (p.comments[pal.comments.eyeClinicReport]!.text = 'Alt fint'), 'written-by-another'],
		['rewrites the nurse’s comment on a measure', (p) => void (p.measures[pal.measures.eyeDrops]!.comments[pal.comments.dropsGivenByHomeCare]!.text = 'Pål drypper selv'), 'written-by-another'],
		['deletes a measure with the nurse’s comment on it', (p) => void delete p.measures[pal.measures.eyeDrops], 'written-by-another'],
		['marks the patient’s entry in error and rewrites it in the same change', (p) => {
			markEnteredInError(p, { kind: 'what-matters', id: mine }, 'Feil pasient', ctx(bodoGp));
			p.whatMatters[mine]!.text = 'Noe annet';
		}, 'written-by-another'],
		['marks the patient’s entry in error without a reason', (p) => {
			p.whatMatters[mine]!.status = 'entered-in-error';
			p.whatMatters[mine]!.errorStamp = { by: personRefOf(bodoGp), at: AT, reason: ' ' };
		}, 'error-reason-required'],
		['marks the patient’s entry in error in the nurse’s name', (p) => markEnteredInError(p, { kind: 'what-matters', id: mine }, 'Feil pasient', ctx(ranaNurse)), 'stamped-as-another']
	];

	it.each(refused)('refuses it when the GP %s, storing nothing', async (_what, edit, rule) => {
		const h = await open();
		await palWrote(h);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const before = Automerge.getHeads(await storedDoc(h.store, palPlan));
		gp.change<Plan>(palPlan, edit);
		await push(gp);
		expect(rules(gp)).toEqual([rule]);
		const stored = await storedDoc<Plan>(h.store, palPlan);
		expect(Automerge.getHeads(stored)).toEqual(before);
		expect(stored.whatMatters[mine]).toMatchObject({ text: 'Å gå tur med hunden', status: 'active', by: personRefOf(palUser) });
	});

	it('lets the GP mark the patient’s entry entered in error with a reason, the text kept, and write a new one; the author still changes her own', async () => {
		const h = await open();
		await palWrote(h);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const fresh = crypto.randomUUID() as ItemId;
		gp.change<Plan>(palPlan, (p) => {
			markEnteredInError(p, { kind: 'what-matters', id: mine }, 'Skrevet i feil pasients plan', ctx(bodoGp));
			addWhatMatters(p, fresh, 'Å bo hjemme', 'clinician-on-behalf', ctx(bodoGp));
		});
		await push(gp);
		expect(rules(gp)).toEqual([]);
		const stored = await storedDoc<Plan>(h.store, palPlan);
		expect(stored.whatMatters[mine]).toMatchObject({ text: 'Å gå tur med hunden', status: 'entered-in-error', errorStamp: { by: personRefOf(bodoGp), at: AT, reason: 'Skrevet i feil pasients plan' } });
		expect(stored.whatMatters[fresh]?.by).toEqual(personRefOf(bodoGp));

		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		nurse.change<Plan>(palPlan, (p) => void (p.measures[pal.measures.eyeDrops]!.comments[pal.comments.dropsGivenByHomeCare]!.text = 'Hjemmetjenesten drypper hver morgen.'));
		await push(nurse);
		expect(rules(nurse)).toEqual([]);
	});

	it('refuses the proxy rewriting the patient’s own entry, and takes her marking it in error', async () => {
		const h = await open();
		await palWrote(h);
		const phone = await freshDevice(h, 'hanne-phone', daughter);
		phone.change<Plan>(palPlan, (p) => void (p.whatMatters[mine]!.text = 'Å se barnebarna'));
		await push(phone);
		expect(rules(phone)).toEqual(['written-by-another']);

		phone.disconnect();
		const next = await freshDevice(h, 'hanne-tablet', daughter);
		next.change<Plan>(palPlan, (p) => markEnteredInError(p, { kind: 'what-matters', id: mine }, 'Pappa mente noe annet', ctx(daughter)));
		await push(next);
		expect(rules(next)).toEqual([]);
		expect((await storedDoc<Plan>(h.store, palPlan)).whatMatters[mine]).toMatchObject({ text: 'Å gå tur med hunden', status: 'entered-in-error' });
	});

	it('refuses the nurse’s comment rewritten by her namesake: ownership is by id, not by name', async () => {
		const h = await open();
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const note = crypto.randomUUID() as ItemId;
		nurse.change<Plan>(palPlan, (p) => addPlanComment(p, note, 'Pål var sliten i dag', ctx(ranaNurse)));
		await push(nurse);
		expect(rules(nurse)).toEqual([]);
		const tablet = await namesakeOnTeam(h);
		tablet.change<Plan>(palPlan, (p) => void (p.comments[note]!.text = 'Pål var i fin form'));
		await push(tablet);
		expect(rules(tablet)).toEqual(['written-by-another']);
		expect((await storedDoc<Plan>(h.store, palPlan)).comments[note]?.text).toBe('Pål var sliten i dag');
	});
});

describe('SyncHub: a self-report belongs to its author', () => {
	it('refuses a correction of the proxy’s report by another relative of the same name; takes her own', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const walk = crypto.randomUUID() as ItemId;
		gp.change<Plan>(palPlan, (p) =>
			addMeasure(p, walk, { title: 'Gå tur', description: '', category: { kind: 'text', text: 'Aktivitet' }, timing: { kind: 'as-needed' }, performer: { kind: 'patient' }, addresses: [], pllReference: null }, ctx(bodoGp))
		);
		await push(gp);
		const report = crypto.randomUUID() as ItemId;
		const phone = await freshDevice(h, 'hanne-phone', daughter);
		phone.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, NOVEMBER)), (l: MeasureLog) =>
			recordMeasure(l, report, { outcome: 'done', measureId: walk, at: AT, slot: null, note: 'Rundt huset' }, ctx(daughter))
		) as Automerge.Doc<unknown>);
		await push(phone, logId);
		expect(rules(phone)).toEqual([]);

		const correction = { outcome: 'not-done' as const, at: AT, note: '', reason: 'For glatt', correctionReason: 'Feil dag' };
		phone.disconnect();
		const other = await freshDevice(h, 'other-phone', namesakeRelative);
		// Written directly: the domain's correctRecord refuses it on the device already.
		const forged = crypto.randomUUID() as ItemId;
		other.change<MeasureLog>(logId, (l) => {
			l.entries[forged] = { ...(JSON.parse(JSON.stringify(l.entries[report])) as LogEntry), id: forged, outcome: 'not-done', reason: 'For glatt', by: personRefOf(namesakeRelative), corrects: report, correctionReason: 'Feil dag' };
		});
		await push(other, logId);
		expect(rules(other)).toEqual(['correction-by-another']);

		other.disconnect();
		phone.connect(h.hub).hello();
		await phone.settle();
		phone.change<MeasureLog>(logId, (l) => correctRecord(l, crypto.randomUUID() as ItemId, report, correction, ctx(daughter)));
		await push(phone, logId);
		expect(rules(phone)).toEqual([]);
	});
});
