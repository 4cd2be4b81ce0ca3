import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type ItemId, type Month, type PatientId } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { addCareTeamMember, addGoal, addMeasure, newPlan, setResponsible, addPlanComment, addWhatMatters, blockClinician, endCareTeamMembership, endContactGuidance, putContactGuidance, setMeasureStatus, setRestricted, unblockClinician } from '$lib/domain/plan-ops';
import { grantEmergencyAccess } from '$lib/server/access/emergency';
import { astrid, clinicians, johan, pal, relatives, solveig } from '$lib/fixtures';
import { demoUsers, palGrandson, personRefOf, planlessPatient, type User } from '$lib/server/access/users';
import { OPENED_PER_MESSAGE } from './openings';
import { freshDevice, harnessesPerTest, storedDoc, wrapStore } from './test-support';
import type { TestDevice } from './test-device';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const altaNurse = userOf(clinicians.altaNurse.id);
const bodoGp = userOf(clinicians.bodoGp.id);
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const daughter = userOf(relatives.palDaughter.id);
const palPlan = planDocId(pal.patientId);
const AT = '2026-11-20T09:00:00.000Z';
const ctx = (user: User): Context => ({ by: personRefOf(user), at: AT });
const patientsHeld = (d: TestDevice) => [...new Set([...d.docs.keys()].map((id) => id.split(':')[1]))].sort();
const refusals = (d: TestDevice) => d.received('refused').map((m) => [m.reason, m.docId]);

async function chunkKeys(store: { chunks(id: DocumentId): Promise<{ key: string }[]> }, docId: DocumentId): Promise<string[]> {
	return (await store.chunks(docId)).map((c) => c.key).sort();
}

describe('SyncHub: need to know', () => {
	it('sends a clinician only the patients whose care team names them, and refuses the others', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const alta = await freshDevice(h, 'alta-tablet', altaNurse);
		expect(patientsHeld(rana)).toEqual([pal.patientId, solveig.patientId].sort());
		expect(patientsHeld(alta)).toEqual([astrid.patientId, johan.patientId].sort());

		rana.send({ type: 'fetch', docIds: [planDocId(astrid.patientId)] });
		rana.change<Plan>(palPlan, (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', ctx(ranaNurse)));
		// A crafted message for a plan outside her care: refused, stored nowhere.
		const before = await chunkKeys(h.store, planDocId(astrid.patientId));
		rana.docs.set(planDocId(astrid.patientId), Automerge.change(Automerge.load<Plan>(Automerge.save(alta.docs.get(planDocId(astrid.patientId))!)), (p) => void (p.patient.municipality = 'Rana')));
		rana.sync([planDocId(astrid.patientId)]);
		await rana.settle();
		expect(refusals(rana)).toEqual([
			['document-unknown', planDocId(astrid.patientId)],
			['document-forbidden', planDocId(astrid.patientId)]
		]);
		expect(await chunkKeys(h.store, planDocId(astrid.patientId))).toEqual(before);
	});

	it('sends a patient and their proxy only the patient’s own documents', async () => {
		const h = await open();
		expect(patientsHeld(await freshDevice(h, 'pal-phone', palUser))).toEqual([pal.patientId]);
		expect(patientsHeld(await freshDevice(h, 'hanne-phone', daughter))).toEqual([pal.patientId]);
		expect(patientsHeld(await freshDevice(h, 'liv-phone', demoUsers.find((u) => u.role === 'patient' && u !== palUser)!))).toEqual([]);
	});

	it('leaves out a patient at the next sync once the clinician is no longer on the care team', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		gp.change<Plan>(palPlan, (p) => void (p.careTeam[pal.careTeam.nurse]!.active = false));
		gp.sync([palPlan]);
		await gp.settle();
		rana.connect(h.hub);
		rana.hello();
		await rana.settle();
		const welcome = rana.received('welcome').at(-1)!;
		expect(welcome.manifest.map(([id]) => id.split(':')[1])).not.toContain(pal.patientId);
		expect(welcome.manifest.map(([id]) => id)).toContain(planDocId(solveig.patientId));
	});
});

describe('SyncHub: what a proxy allows', () => {
	it('sends a relative whose proxy allows reading the plan only the plan, not the visit records, and refuses anything they write', async () => {
		const h = await open();
		const grandson = demoUsers.find((u) => u.id === palGrandson.id)!;
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const logId = logDocId(pal.patientId, '2026-11' as Month);
		nurse.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, '2026-11' as Month)), (l: MeasureLog) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '' }, ctx(ranaNurse))) as Automerge.Doc<unknown>);
		nurse.sync([logId]);
		await nurse.settle();
		const full = await freshDevice(h, 'hanne-phone', daughter);
		expect([...full.docs.keys()]).toContain(logId);

		const phone = await freshDevice(h, 'jonas-phone', grandson);
		expect([...phone.docs.keys()]).toEqual([palPlan]);
		phone.send({ type: 'fetch', docIds: [logId] });
		phone.change<Plan>(palPlan, (p) => addWhatMatters(p, crypto.randomUUID() as ItemId, 'Å se på fotball med bestefar', 'relative', ctx(grandson)));
		phone.sync([palPlan]);
		await phone.settle();
		expect(refusals(phone)).toEqual([
			['document-unknown', logId],
			['change-refused', palPlan]
		]);
		expect(phone.received('refused').at(-1)?.detail).toMatch(/^proxy-reads-only:/);
		expect([...phone.docs.keys()]).toEqual([palPlan]);
		expect(Object.values((await storedDoc<Plan>(h.store, palPlan)).whatMatters).map((w) => w.text)).not.toContain('Å se på fotball med bestefar');
	});
});

describe('SyncHub: care team changes, blocks and emergency access', () => {
	/** The patients the last welcome says the device may hold (all it holds, when up to date). */
	const welcomedPatients = (d: TestDevice) => {
		const welcome = d.received('welcome').at(-1)!;
		return welcome.upToDate ? patientsHeld(d) : [...new Set(welcome.manifest.map(([id]) => id.split(':')[1]))].sort();
	};
	const reconnect = async (d: TestDevice, h: Awaited<ReturnType<typeof open>>) => {
		d.connect(h.hub).hello();
		await d.settle();
	};

	it('tells a connected tablet at once when its user leaves or joins a care team; its next hello purges or brings the patient', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const alta = await freshDevice(h, 'alta-tablet', altaNurse);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		gp.change<Plan>(palPlan, (p) => {
			endCareTeamMembership(p, pal.careTeam.nurse, ctx(bodoGp));
			addCareTeamMember(p, crypto.randomUUID() as ItemId, { name: altaNurse.name, role: 'home-care', organisation: altaNurse.organisation!, personId: altaNurse.id }, ctx(bodoGp));
		});
		gp.sync([palPlan]);
		await Promise.all([gp.settle(), rana.settle(), alta.settle()]);
		expect([rana.closeCode, alta.closeCode, gp.closeCode]).toEqual([4001, 4001, null]);
		await reconnect(rana, h);
		await reconnect(alta, h);
		expect(welcomedPatients(rana)).toEqual([solveig.patientId]);
		expect(welcomedPatients(alta)).toEqual([pal.patientId, astrid.patientId, johan.patientId].sort());
	});

	it('lets the patient block a clinician: her tablet loses the plan, emergency access is denied and logged, and no clinician can lift the block', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const phone = await freshDevice(h, 'pal-phone', palUser);
		const block = crypto.randomUUID() as ItemId;
		phone.change<Plan>(palPlan, (p) => blockClinician(p, block, { personId: ranaNurse.id, name: ranaNurse.name, organisation: ranaNurse.organisation! }, ctx(palUser)));
		phone.sync([palPlan]);
		await Promise.all([phone.settle(), rana.settle(), gp.settle()]);
		expect(refusals(phone)).toEqual([]);
		expect(rana.closeCode).toBe(4001);
		await reconnect(rana, h);
		expect(welcomedPatients(rana)).toEqual([solveig.patientId]);

		const denied = await grantEmergencyAccess(h.store, ranaNurse, { nationalId: pal.patient.nationalId, reason: 'Falt i trappen, trenger medisinlisten' });
		expect(denied).toEqual({ ok: false, reason: 'blocked' });
		const log = await h.store.audit(pal.patientId);
		expect(log.filter((e) => e.who.id === ranaNurse.id && e.action === 'emergency-denied').map((e) => [e.basis, e.detail])).toEqual([['emergency', 'blocked']]);
		await reconnect(rana, h);
		expect(welcomedPatients(rana)).toEqual([solveig.patientId]);

		gp.change<Plan>(palPlan, (p) => unblockClinician(p, block, ctx(bodoGp)));
		gp.sync([palPlan]);
		await gp.settle();
		expect(refusals(gp)).toEqual([['change-refused', palPlan]]);
		expect((await storedDoc<Plan>(h.store, palPlan)).privacy?.blocked[block]?.active).toBe(true);
	});

	it('gives emergency access only with a reason, for a limited time, logged as emergency with its reason, and never to a restricted plan', async () => {
		const h = await open();
		const alta = await freshDevice(h, 'alta-tablet', altaNurse);
		const ask = (reason: string, nationalId = pal.patient.nationalId, now?: Date) => grantEmergencyAccess(h.store, altaNurse, { nationalId, reason }, now);
		expect(await ask('Akutt')).toEqual({ ok: false, reason: 'reason-missing' });
		expect(await ask('Pasienten er forvirret og alene hjemme', '12345678901')).toEqual({ ok: false, reason: 'national-id-invalid' });
		expect(await grantEmergencyAccess(h.store, palUser, { nationalId: pal.patient.nationalId, reason: 'Jeg vil se min egen plan' })).toEqual({ ok: false, reason: 'not-a-clinician' });
		// Access granted three hours ago has ended.
		const old = await ask('Vikar i Rana natt til i går', pal.patient.nationalId, new Date(Date.now() - 3 * 3600_000));
		expect(old.ok).toBe(true);
		await reconnect(alta, h);
		expect(welcomedPatients(alta)).toEqual([astrid.patientId, johan.patientId].sort());

		const granted = await ask('Pasienten er forvirret og alene hjemme');
		expect(granted).toMatchObject({ ok: true, patientId: pal.patientId, name: pal.patient.name });
		const until = Date.parse((granted as { until: string }).until);
		expect(until - Date.now()).toBeGreaterThan(115 * 60_000);
		expect(until - Date.now()).toBeLessThanOrEqual(120 * 60_000);
		await reconnect(alta, h);
		expect(welcomedPatients(alta)).toEqual([pal.patientId, astrid.patientId, johan.patientId].sort());
		alta.send({ type: 'fetch', docIds: [palPlan] });
		await alta.settle();
		expect(alta.docs.has(palPlan)).toBe(true);
		const log = (await h.store.audit(pal.patientId)).filter((e) => e.who.id === altaNurse.id).reverse();
		expect(log.map((e) => [e.action, e.basis, e.detail])).toEqual([
			['emergency-access', 'emergency', 'Vikar i Rana natt til i går'],
			['emergency-access', 'emergency', 'Pasienten er forvirret og alene hjemme'],
			['read', 'emergency', '']
		]);

		// The patient restricts the plan: her access ends at once, and no new emergency access is given.
		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => setRestricted(p, true, ctx(palUser)));
		phone.sync([palPlan]);
		await Promise.all([phone.settle(), alta.settle()]);
		expect(refusals(phone)).toEqual([]);
		expect(alta.closeCode).toBe(4001);
		await reconnect(alta, h);
		expect(welcomedPatients(alta)).toEqual([astrid.patientId, johan.patientId].sort());
		expect(await ask('Pasienten er forvirret og alene hjemme')).toEqual({ ok: false, reason: 'restricted' });
	});
});

describe('SyncHub: a new plan', () => {
	const livPlan = planDocId(planlessPatient.patientId);
	const liv = { name: planlessPatient.name, birthDate: planlessPatient.birthDate, nationalId: planlessPatient.nationalId, municipality: planlessPatient.municipality };
	const member = crypto.randomUUID() as ItemId;
	const planBy = (user: User, opts: { consent: boolean; onTeam: boolean }) => {
		const plan = newPlan(planlessPatient.patientId, liv, { form: 'oral', givenBy: 'patient' }, ctx(user));
		if (!opts.consent) plan.privacy!.consent = null;
		if (opts.onTeam) {
			addCareTeamMember(plan, member, { name: user.name, role: 'gp', organisation: user.organisation ?? '', personId: user.id }, ctx(user));
			setResponsible(plan, member, ctx(user));
		}
		return genesis(livPlan, plan) as Automerge.Doc<unknown>;
	};

	it('is stored only with the patient’s consent recorded and its creator on the care team, who may go on changing it', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		for (const opts of [{ consent: false, onTeam: true }, { consent: true, onTeam: false }]) {
			gp.docs.set(livPlan, planBy(bodoGp, opts));
			gp.sync([livPlan]);
			await gp.settle();
			expect(refusals(gp).at(-1)).toEqual(['change-refused', livPlan]);
			expect(await h.store.manifest([planlessPatient.patientId])).toEqual([]);
		}
		gp.connect(h.hub).hello();
		await gp.settle();
		const before = refusals(gp).length;
		gp.docs.set(livPlan, planBy(bodoGp, { consent: true, onTeam: true }));
		gp.sync([livPlan]);
		await gp.settle();
		expect(refusals(gp).slice(before)).toEqual([]);
		expect((await storedDoc<Plan>(h.store, livPlan)).privacy?.consent).toMatchObject({ form: 'oral', givenBy: 'patient', recordedBy: { name: bodoGp.name } });
		// In the same session, her next change to the plan she made is hers to make.
		gp.change<Plan>(livPlan, (p) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Første samtale gjennomført', ctx(bodoGp)));
		gp.sync([livPlan]);
		await gp.settle();
		expect(refusals(gp).slice(before)).toEqual([]);
		expect(Object.values((await storedDoc<Plan>(h.store, livPlan)).comments).map((c) => c.text)).toEqual(['Første samtale gjennomført']);
		// Nobody else's tablet gets it.
		expect(patientsHeld(await freshDevice(h, 'rana-tablet', ranaNurse))).not.toContain(planlessPatient.patientId);
	});

	it('is refused when another patient’s plan already carries the national ID: no decoy for emergency access to find', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const decoyId = crypto.randomUUID() as PatientId;
		const decoyPlan = planDocId(decoyId);
		const plan = newPlan(decoyId, { ...liv, name: pal.patient.name, nationalId: pal.patient.nationalId }, { form: 'oral', givenBy: 'patient' }, ctx(bodoGp));
		addCareTeamMember(plan, member, { name: bodoGp.name, role: 'gp', organisation: bodoGp.organisation ?? '', personId: bodoGp.id }, ctx(bodoGp));
		gp.docs.set(decoyPlan, genesis(decoyPlan, plan) as Automerge.Doc<unknown>);
		gp.sync([decoyPlan]);
		await gp.settle();
		expect(refusals(gp).at(-1)).toEqual(['change-refused', decoyPlan]);
		expect(gp.received('refused').at(-1)?.detail).toMatch(/^patient-has-plan:/);
		expect(await h.store.manifest([decoyId])).toEqual([]);
		expect((await h.store.summaries()).filter((s) => s.nationalId === pal.patient.nationalId).map((s) => s.patientId)).toEqual([pal.patientId]);
	});

	it('is refused when an edit gives a plan the national ID another patient’s plan carries', async () => {
		const h = await open();
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const solveigPlan = planDocId(solveig.patientId);
		expect(nurse.docs.has(solveigPlan)).toBe(true);
		nurse.change<Plan>(solveigPlan, (p) => void (p.patient.nationalId = pal.patient.nationalId));
		nurse.sync([solveigPlan]);
		await nurse.settle();
		expect(refusals(nurse).at(-1)).toEqual(['change-refused', solveigPlan]);
		expect(nurse.received('refused').at(-1)?.detail).toMatch(/^patient-has-plan:/);
		expect((await storedDoc<Plan>(h.store, solveigPlan)).patient.nationalId).toBe(solveig.patient.nationalId);
		expect((await h.store.patientsByNationalId(pal.patient.nationalId)).map((s) => s.patientId)).toEqual([pal.patientId]);
	});

	it('is never created by the patient', async () => {
		const h = await open();
		const livUser = demoUsers.find((u) => u.patients.includes(planlessPatient.patientId))!;
		const phone = await freshDevice(h, 'liv-phone', livUser);
		phone.docs.set(livPlan, planBy(livUser, { consent: true, onTeam: false }));
		phone.sync([livPlan]);
		await phone.settle();
		expect(refusals(phone)).toEqual([['change-refused', livPlan]]);
		expect(await h.store.manifest([planlessPatient.patientId])).toEqual([]);
	});
});

describe('SyncHub: role rules on every change', () => {
	it('stores what a patient may write: what matters to him and a comment, in his own name', async () => {
		const h = await open();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => {
			addWhatMatters(p, crypto.randomUUID() as ItemId, 'Å gå tur med hunden', 'patient', ctx(palUser));
			addPlanComment(p, crypto.randomUUID() as ItemId, 'Dråpene svir litt', ctx(palUser));
		});
		phone.sync([palPlan]);
		await phone.settle();
		expect(refusals(phone)).toEqual([]);
		const stored = await storedDoc<Plan>(h.store, palPlan);
		expect(Object.values(stored.whatMatters).map((w) => w.text)).toContain('Å gå tur med hunden');
		expect(Object.values(stored.comments).map((c) => c.text)).toContain('Dråpene svir litt');
	});

	it.each([
		['a clinician’s measure', (p: Plan) => void (p.measures[pal.measures.eyeDrops]!.title = 'Ingen dråper')],
		['the care team', (p: Plan) => void (p.careTeam[pal.careTeam.nurse]!.active = false)],
		['what matters written by a clinician', (p: Plan) => void (p.whatMatters[pal.whatMatters.livingAtHome]!.text = 'Noe annet')],
		['a comment in someone else’s name', (p: Plan) => addPlanComment(p, crypto.randomUUID() as ItemId, 'Legen sier stopp', ctx(bodoGp))],
		['the recorded consent', (p: Plan) => void (p.privacy!.consent = null)],
		['a block in someone else’s name', (p: Plan) => blockClinician(p, crypto.randomUUID() as ItemId, { personId: bodoGp.id, name: bodoGp.name, organisation: 'x' }, ctx(bodoGp))]
	])('refuses the whole change when a patient touches %s, storing and sending on nothing', async (_what, edit) => {
		const h = await open();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const before = await chunkKeys(h.store, palPlan);
		const heads = Automerge.getHeads(nurse.docs.get(palPlan)!);
		// One change holding an allowed edit and a forbidden one: none of it may land.
		phone.change<Plan>(palPlan, (p) => {
			addWhatMatters(p, crypto.randomUUID() as ItemId, 'Lov å skrive', 'patient', ctx(palUser));
			edit(p);
		});
		phone.sync([palPlan]);
		await Promise.all([phone.settle(), nurse.settle()]);
		expect(refusals(phone)).toEqual([['change-refused', palPlan]]);
		expect(await chunkKeys(h.store, palPlan)).toEqual(before);
		expect(Automerge.getHeads(nurse.docs.get(palPlan)!)).toEqual(heads);
		expect(phone.acked.get(palPlan)).toBeUndefined();
	});

	it('refuses a clinician’s change stamped with another clinician’s name, in the plan and in a visit record', async () => {
		const h = await open();
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const before = await chunkKeys(h.store, palPlan);
		nurse.change<Plan>(palPlan, (p) => setMeasureStatus(p, pal.measures.eyeDrops, 'on-hold', ctx(bodoGp)));
		nurse.sync([palPlan]);
		await nurse.settle();
		expect(refusals(nurse)).toEqual([['change-refused', palPlan]]);
		expect(nurse.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another:/);
		expect(await chunkKeys(h.store, palPlan)).toEqual(before);

		const logId = logDocId(pal.patientId, '2026-11' as Month);
		nurse.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, '2026-11' as Month)), (l: MeasureLog) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at: AT, slot: '08:00', note: '' }, ctx(bodoGp))) as Automerge.Doc<unknown>);
		nurse.sync([logId]);
		await nurse.settle();
		expect(refusals(nurse).at(-1)).toEqual(['change-refused', logId]);
	});

	it('takes a guidance level a clinician sets or ends in their own name, refuses one stamped as another, and refuses the patient changing it', async () => {
		const h = await open();
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const level = crypto.randomUUID() as ItemId;
		const input = { level: 'yellow' as const, signs: 'Urolig om kvelden', action: 'Ring datteren', contact: { name: relatives.palDaughter.name, phone: '41234567' } };
		nurse.change<Plan>(palPlan, (p) => putContactGuidance(p, level, input, ctx(ranaNurse)));
		nurse.change<Plan>(palPlan, (p) => endContactGuidance(p, level, ctx(ranaNurse)));
		nurse.sync([palPlan]);
		await nurse.settle();
		expect(refusals(nurse)).toEqual([]);
		expect((await storedDoc<Plan>(h.store, palPlan)).contactGuidance[level]).toMatchObject({ status: 'ended', by: { name: ranaNurse.name } });

		nurse.change<Plan>(palPlan, (p) => putContactGuidance(p, level, input, ctx(bodoGp)));
		nurse.sync([palPlan]);
		await nurse.settle();
		expect(nurse.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another:/);

		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => putContactGuidance(p, pal.contactGuidance.red, { ...input, level: 'red' }, ctx(palUser)));
		phone.sync([palPlan]);
		await phone.settle();
		expect(phone.received('refused').at(-1)?.detail).toMatch(/^owned-by-care-team:/);
	});

	it('lets a patient report on a self-treatment measure, but not record a clinician’s', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const selfCare = crypto.randomUUID() as ItemId;
		gp.change<Plan>(palPlan, (p) =>
			addMeasure(p, selfCare, { title: 'Gå tur', description: '', category: { kind: 'text', text: 'Aktivitet' }, timing: { kind: 'as-needed' }, performer: { kind: 'patient' }, addresses: [], pllReference: null }, ctx(bodoGp))
		);
		gp.sync([palPlan]);
		await gp.settle();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		const logId = logDocId(pal.patientId, '2026-11' as Month);
		const record = (measureId: ItemId) => (l: MeasureLog) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId, at: AT, slot: null, note: '' }, ctx(palUser));
		phone.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, '2026-11' as Month)), record(selfCare)) as Automerge.Doc<unknown>);
		phone.sync([logId]);
		await phone.settle();
		expect(refusals(phone)).toEqual([]);
		expect(Object.values((await storedDoc<MeasureLog>(h.store, logId)).entries).map((e) => e.measureId)).toEqual([selfCare]);

		phone.change<MeasureLog>(logId, record(pal.measures.eyeDrops));
		phone.sync([logId]);
		await phone.settle();
		expect(refusals(phone)).toEqual([['change-refused', logId]]);
		expect(Object.values((await storedDoc<MeasureLog>(h.store, logId)).entries).map((e) => e.measureId)).toEqual([selfCare]);
	});
});

describe('SyncHub: the access log', () => {
	it('logs every plan sent to a device, every change and every refused change, with who and on what basis', async () => {
		const h = await open();
		const tablet = await freshDevice(h, 'rana-tablet', ranaNurse);
		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => addWhatMatters(p, crypto.randomUUID() as ItemId, 'Å gå tur med hunden', 'patient', ctx(palUser)));
		phone.sync([palPlan]);
		await Promise.all([phone.settle(), tablet.settle()]);
		tablet.disconnect();
		phone.change<Plan>(palPlan, (p) => void (p.measures[pal.measures.eyeDrops]!.title = 'Ingen dråper'));
		phone.sync([palPlan]);
		await phone.settle();

		const log = (await h.store.audit(pal.patientId)).filter((e) => e.docId === palPlan).reverse();
		expect(log.map((e) => [e.who.name, e.who.role, e.basis, e.action])).toEqual([
			[ranaNurse.name, 'home-care', 'care-team', 'read'],
			[palUser.name, 'patient', 'patient', 'read'],
			[palUser.name, 'patient', 'patient', 'change'],
			// The nurse's tablet, still connected, was sent Pål's change at once.
			[ranaNurse.name, 'home-care', 'care-team', 'read'],
			[palUser.name, 'patient', 'patient', 'refused']
		]);
		expect(log[0]?.who.organisation).toBe(ranaNurse.organisation);
		expect(log.at(-1)?.detail).toMatch(/measures/);
		// Nobody else's plan was logged as read by the patient.
		expect((await h.store.audit(solveig.patientId)).map((e) => e.who.name)).not.toContain(palUser.name);
	});

	it('logs plans a device opened offline with the time they were opened, and refuses reports about others’ patients', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		// This morning's shift: times the register takes as reported (within a day, not ahead of it).
		const at = (minutes: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000 + minutes * 60_000).toISOString();
		rana.send({
			type: 'opened',
			docs: [
				{ id: 7, docId: palPlan, at: at(15) },
				{ id: 8, docId: planDocId(astrid.patientId), at: at(20) }
			]
		});
		await rana.settle();
		expect(rana.received('logged')).toEqual([{ type: 'logged', ids: [7, 8] }]);
		expect(refusals(rana)).toEqual([['document-forbidden', planDocId(astrid.patientId)]]);
		const offline = (await h.store.audit(pal.patientId)).filter((e) => e.reportedLater);
		expect(offline.map((e) => [e.at, e.who.name, e.action])).toEqual([[at(15), ranaNurse.name, 'read']]);
		expect((await h.store.audit(astrid.patientId)).map((e) => e.who.name)).not.toContain(ranaNurse.name);
	});
	it('collapses a flood of reports of one plan opened again and again into a line per ten minutes; nothing else leaves sight', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const start = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 3_600_000;
		// 600 openings of Pål's plan over one hour (one every six seconds), then one of Solveig's, in
		// the device's batches of 200: the same collapse holds across the messages of a session.
		const docs = Array.from({ length: 600 }, (_, i) => ({ id: i + 1, docId: palPlan, at: new Date(start + i * 6000).toISOString() }));
		const all = [...docs, { id: 601, docId: planDocId(solveig.patientId), at: new Date(start + 30 * 60_000).toISOString() }];
		for (let i = 0; i < all.length; i += OPENED_PER_MESSAGE) rana.send({ type: 'opened', docs: all.slice(i, i + OPENED_PER_MESSAGE) });
		await rana.settle();
		expect(rana.received('logged').flatMap((m) => m.ids)).toEqual(Array.from({ length: 601 }, (_, i) => i + 1));
		const reported = (await h.store.audit(pal.patientId)).filter((e) => e.reportedLater);
		expect(reported.map((e) => e.at).sort()).toEqual([0, 10, 20, 30, 40, 50].map((m) => new Date(start + m * 60_000).toISOString()));
		expect((await h.store.audit(solveig.patientId)).filter((e) => e.reportedLater)).toHaveLength(1);
	});
	it('writes "changed the plan" with the change itself: a failing access-log write loses no line of a stored, acknowledged change', async () => {
		let failures = 0;
		const h = await open({}, (store) =>
			wrapStore(store, { appendAudit: (lines) => (failures-- > 0 ? Promise.reject(new Error('audit table locked')) : store.appendAudit(lines)) })
		);
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		failures = 1;
		rana.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Alta'));
		rana.sync([palPlan]);
		await rana.settle();
		const stored = (await storedDoc<Plan>(h.store, palPlan)).patient.municipality === 'Alta';
		const changes = (await h.store.audit(pal.patientId)).filter((e) => e.action === 'change' && e.who.id === ranaNurse.id);
		// Whatever else happened, a stored change has its line, exactly one.
		expect([stored, changes.length]).toEqual([true, 1]);
		if (rana.acked.has(palPlan)) expect(changes).toHaveLength(1);
	});

	it('refuses a change after which the register could not tell who may see the plan (fail closed), storing nothing', async () => {
		const h = await open();
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const before = await h.store.summaries([pal.patientId]);
		gp.change<Plan>(palPlan, (d) => void delete (d as Partial<Plan>).careTeam);
		gp.sync([palPlan]);
		await gp.settle();
		expect(gp.received('refused').map((m) => m.reason)).toContain('change-refused');
		expect((await storedDoc<Plan>(h.store, palPlan)).careTeam).toBeDefined();
		expect(await h.store.summaries([pal.patientId])).toEqual(before);
	});
	it('refuses a clinician deleting the patient’s privacy choices whole: the block stays, and the blocked nurse stays out', async () => {
		const h = await open();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		phone.change<Plan>(palPlan, (p) => blockClinician(p, crypto.randomUUID() as ItemId, { personId: altaNurse.id, name: altaNurse.name, organisation: altaNurse.organisation ?? '' }, ctx(palUser)));
		phone.sync([palPlan]);
		await phone.settle();
		expect(refusals(phone)).toEqual([]);
		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		gp.change<Plan>(palPlan, (p) => void delete (p as Partial<Plan>).privacy);
		gp.sync([palPlan]);
		await gp.settle();
		expect(gp.received('refused').at(-1)?.detail).toMatch(/^patients-own-choice: privacy/);
		expect(Object.values((await storedDoc<Plan>(h.store, palPlan)).privacy?.blocked ?? {}).map((b) => b.personId)).toEqual([altaNurse.id]);
	});

	it('refuses a patient re-stamping his own entry as written by the GP, and a clinician’s goal “expressed by” a colleague', async () => {
		const h = await open();
		const phone = await freshDevice(h, 'pal-phone', palUser);
		const entry = crypto.randomUUID() as ItemId;
		phone.change<Plan>(palPlan, (p) => addWhatMatters(p, entry, 'Å gå tur med hunden', 'patient', ctx(palUser)));
		phone.sync([palPlan]);
		await phone.settle();
		expect(refusals(phone)).toEqual([]);
		phone.change<Plan>(palPlan, (p) => void (p.whatMatters[entry]!.by = personRefOf(bodoGp)));
		phone.sync([palPlan]);
		await phone.settle();
		expect(phone.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another: whatMatters/);
		expect((await storedDoc<Plan>(h.store, palPlan)).whatMatters[entry]?.by.name).toBe(palUser.name);

		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		const goal = crypto.randomUUID() as ItemId;
		gp.change<Plan>(palPlan, (p) => addGoal(p, goal, { category: 'treatment', text: 'Holde trykket nede', targetDate: null, addresses: [] }, ctx(ranaNurse)));
		gp.sync([palPlan]);
		await gp.settle();
		expect(gp.received('refused').at(-1)?.detail).toMatch(/^stamped-as-another: goals/);
		expect((await storedDoc<Plan>(h.store, palPlan)).goals[goal]).toBeUndefined();
	});
});

describe('SyncHub: a reconnect with nothing changed', () => {
	/** A harness whose store counts its reads of document rows (`manifest`). */
	async function counting() {
		const reads = { manifest: 0 };
		const h = await open({}, (s) => wrapStore(s, { manifest: (...args) => (reads.manifest++, s.manifest(...args)) }));
		return { h, reads };
	}

	it('is answered without reading the register’s document rows again', async () => {
		const { h, reads } = await counting();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		rana.connect(h.hub);
		rana.inbox.length = 0;
		const before = reads.manifest;
		rana.hello();
		await rana.settle();
		expect(rana.inbox).toEqual([{ type: 'welcome', upToDate: true, manifest: [] }]);
		// Seen: each hello read every document row of the nurse's patients (20–25 ms of 30 at 10,000 plans).
		expect(reads.manifest - before).toBe(0);
	});

	it('is told of another device’s change to one of her patients, and then again reads nothing', async () => {
		const { h, reads } = await counting();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const other = await freshDevice(h, 'rana-phone', ranaNurse);
		rana.disconnect();
		const comment = crypto.randomUUID() as ItemId;
		other.change<Plan>(palPlan, (p) => addPlanComment(p, comment, 'Dråpene gitt, pasienten sov', ctx(ranaNurse)));
		other.sync([palPlan]);
		await other.settle();
		expect(refusals(other)).toEqual([]);

		rana.connect(h.hub);
		rana.inbox.length = 0;
		rana.hello();
		await rana.settle();
		expect(rana.inbox[0]).toMatchObject({ type: 'welcome', upToDate: false });
		rana.sync([palPlan]);
		for (let i = 0; i < 3; i++) await rana.settle();
		expect((rana.docs.get(palPlan) as Automerge.Doc<Plan>).comments[comment]?.text).toBe('Dråpene gitt, pasienten sov');

		rana.connect(h.hub);
		rana.inbox.length = 0;
		const before = reads.manifest;
		rana.hello();
		await rana.settle();
		expect(rana.inbox).toEqual([{ type: 'welcome', upToDate: true, manifest: [] }]);
		expect(reads.manifest - before).toBe(0);
	});

	it('is answered from what she may see now once she has left a care team', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const gp = await freshDevice(h, 'bodo-gp', bodoGp);
		expect(patientsHeld(rana)).toContain(pal.patientId);
		rana.disconnect();
		gp.change<Plan>(palPlan, (p) => void (p.careTeam[pal.careTeam.nurse]!.active = false));
		gp.sync([palPlan]);
		await gp.settle();

		rana.connect(h.hub);
		rana.inbox.length = 0;
		rana.hello();
		for (let i = 0; i < 3; i++) await rana.settle();
		const welcome = rana.inbox.find((m) => m.type === 'welcome');
		expect(welcome).toMatchObject({ upToDate: false });
		expect(welcome?.type === 'welcome' && welcome.manifest.map(([id]) => id)).not.toContain(palPlan);
	});
});
