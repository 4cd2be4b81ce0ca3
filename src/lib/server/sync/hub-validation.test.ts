import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, planDocId, type DocumentId, type ItemId, type Month } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { Context, MeasureLog, Plan } from '$lib/domain/plan';
import { addGoal, addPlanComment, addWhatMatters, endCareTeamMembership } from '$lib/domain/plan-ops';
import { LIMITS } from '$lib/domain/schema';
import { clinicians, pal } from '$lib/fixtures';
import { demoUsers, personRefOf, type User } from '$lib/server/access/users';
import { freshDevice, harnessesPerTest, sorted, storedDoc } from './test-support';

const open = harnessesPerTest();
const userOf = (id: string): User => demoUsers.find((u) => u.id === id)!;
const ranaNurse = userOf(clinicians.ranaNurse.id);
const bodoGp = userOf(clinicians.bodoGp.id);
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const palPlan = planDocId(pal.patientId);
const eyeDrops = pal.measures.eyeDrops;
const AT = '2026-11-20T09:00:00.000Z';
const ctx = (user: User): Context => ({ by: personRefOf(user), at: AT });
const newId = () => crypto.randomUUID() as ItemId;

async function chunkKeys(store: { chunks(id: DocumentId): Promise<{ key: string }[]> }, docId: DocumentId): Promise<string[]> {
	return (await store.chunks(docId)).map((c) => c.key).sort();
}

type Case = { what: string; user: User; edit: (p: Plan) => string };

const cases: Case[] = [
	{
		what: 'a measure whose title is a number (the case seen)',
		user: bodoGp,
		edit: (p) => ((p.measures[eyeDrops] as unknown as { title: number }).title = 42, `measures.${eyeDrops}.title`)
	},
	{
		what: 'a goal addressing a diagnosis the plan does not have',
		user: bodoGp,
		edit: (p) => {
			const id = newId();
			addGoal(p, id, { category: 'treatment', text: 'Bedre søvn', targetDate: null, addresses: [newId()] }, ctx(bodoGp));
			return `goals.${id}.addresses.0`;
		}
	},
	{
		what: 'a status no version knows',
		user: bodoGp,
		edit: (p) => ((p.measures[eyeDrops]!.status as { value: string }).value = 'paused', `measures.${eyeDrops}.status.value`)
	},
	{
		what: 'a comment beyond its length limit',
		user: ranaNurse,
		edit: (p) => {
			const id = newId();
			addPlanComment(p, id, 'x'.repeat(LIMITS.text + 1), ctx(ranaNurse));
			return `comments.${id}.text`;
		}
	},
	{
		what: 'an item under a key that is not an item id',
		user: bodoGp,
		edit: (p) => {
			const copy = JSON.parse(JSON.stringify(p.measures[eyeDrops])) as Plan['measures'][string];
			p.measures['measure-1'] = { ...copy, id: 'measure-1' as ItemId, comments: {} };
			return 'measures.measure-1';
		}
	},
	{
		what: 'what matters from the patient’s own phone, beyond its limit',
		user: palUser,
		edit: (p) => {
			const id = newId();
			addWhatMatters(p, id, 'å'.repeat(LIMITS.text + 1), 'patient', ctx(palUser));
			return `whatMatters.${id}.text`;
		}
	}
];

describe('SyncHub: whole-document validation, whoever writes', () => {
	it.each(cases)('refuses $what with the path, stores nothing of it and sends it to nobody', async ({ user, edit }) => {
		const h = await open();
		const other = await freshDevice(h, 'rana-tablet', ranaNurse);
		const writer = await freshDevice(h, `${user.role}-device`, user);
		const stored = await chunkKeys(h.store, palPlan);
		const othersHeads = Automerge.getHeads(other.docs.get(palPlan)!);

		let path = '';
		writer.change<Plan>(palPlan, (p) => void (path = edit(p)));
		writer.sync([palPlan]);
		await Promise.all([writer.settle(), other.settle()]);

		expect(writer.received('refused').map((m) => [m.reason, m.docId, m.detail])).toEqual([['change-refused', palPlan, `document-invalid: ${path}`]]);
		expect(writer.acked.get(palPlan) ?? []).not.toEqual(Automerge.getHeads(writer.docs.get(palPlan)!));
		expect(await chunkKeys(h.store, palPlan)).toEqual(stored);
		expect(sorted(Automerge.getHeads(other.docs.get(palPlan)!))).toEqual(sorted(othersHeads));
		expect(other.received('refused')).toEqual([]);
	});

	it('keeps need-to-know closed after a refused invalid change: the nurse the GP takes off the care team gets the plan no more', async () => {
		const h = await open();
		const careless = await freshDevice(h, 'gp-old-tablet', bodoGp);
		careless.change<Plan>(palPlan, (p) => void ((p.measures[eyeDrops] as unknown as { title: number }).title = 42));
		careless.sync([palPlan]);
		await careless.settle();
		expect(careless.received('refused').at(-1)?.detail).toBe(`document-invalid: measures.${eyeDrops}.title`);
		// A real device now sets its version aside; this stand-in just goes away, as it cannot.
		careless.disconnect();

		const gp = await freshDevice(h, 'gp-tablet', bodoGp);
		gp.change<Plan>(palPlan, (p) => endCareTeamMembership(p, pal.careTeam.nurse, ctx(bodoGp)));
		gp.sync([palPlan]);
		await gp.settle();
		expect(gp.received('refused')).toEqual([]);
		expect((await storedDoc<Plan>(h.store, palPlan)).measures[eyeDrops]!.title).toBe('Øyedråper daglig');

		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		expect([...rana.docs.keys()]).not.toContain(palPlan);
	});

	it('refuses a visit record with a malformed time in the month log, and takes a good one', async () => {
		const h = await open();
		const nurse = await freshDevice(h, 'rana-tablet', ranaNurse);
		const logId = logDocId(pal.patientId, '2026-11' as Month);
		const good = newId();
		const bad = newId();
		nurse.docs.set(logId, Automerge.change(genesis(logId, newMeasureLog(pal.patientId, '2026-11' as Month)), (l: MeasureLog) => recordMeasure(l, good, { outcome: 'done', measureId: eyeDrops, at: AT, slot: '08:00', note: '' }, ctx(ranaNurse))) as Automerge.Doc<unknown>);
		nurse.sync([logId]);
		await nurse.settle();
		expect(nurse.received('refused')).toEqual([]);

		nurse.change<MeasureLog>(logId, (l) => recordMeasure(l, bad, { outcome: 'done', measureId: eyeDrops, at: AT, slot: '8', note: '' }, ctx(ranaNurse)));
		nurse.sync([logId]);
		await nurse.settle();
		expect(nurse.received('refused').map((m) => m.detail)).toEqual([`document-invalid: entries.${bad}.slot`]);
		expect(Object.keys((await storedDoc<MeasureLog>(h.store, logId)).entries)).toEqual([good]);
	});
});
