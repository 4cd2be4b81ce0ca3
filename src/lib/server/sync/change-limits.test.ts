import * as Automerge from '@automerge/automerge';
import { afterEach, describe, expect, it } from 'vitest';
import { genesis } from '$lib/domain/genesis';
import { logDocId, type ItemId, type Month } from '$lib/domain/ids';
import { newMeasureLog, recordMeasure } from '$lib/domain/measure-log';
import type { MeasureLog, Plan } from '$lib/domain/plan';
import { addMeasureComment } from '$lib/domain/plan-ops';
import { clinicians, createPlanDocument, demoDocuments, pal, withEditHistory } from '$lib/fixtures';
import { demoUsers, personRefOf } from '$lib/server/access/users';
import { actorOf } from '$lib/domain/person';
import { ChangeChecker } from './change-checker';
import { CHANGE_LIMITS, checkChanges } from './change-limits.js';
import { deepChange, hugeTextChange, syncMessageWith } from './crafted-changes';
import { freshDevice, harnessesPerTest, sorted, storedDoc } from './test-support';

/** The sync message a device sends a register that holds nothing of `doc` yet (a new plan, pushed whole). */
function pushWhole(doc: Automerge.Doc<unknown>): Uint8Array {
	const [, fromRegister] = Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState());
	const [, state] = Automerge.receiveSyncMessage(Automerge.clone(doc), Automerge.initSyncState(), fromRegister!);
	return Automerge.generateSyncMessage(doc, state)[1]!;
}

const changesIn = (message: Uint8Array) => Automerge.decodeSyncMessage(message).changes;
const nurse = actorOf(clinicians.ranaNurse);
const longPlan = withEditHistory(createPlanDocument(pal).doc, 1500, 3);

describe('the limits on one sync message', () => {
	it('take the fixtures’ longest plan pushed whole, as a document or as its 1,501 changes, and every demo document', () => {
		const whole = checkChanges(changesIn(pushWhole(longPlan)));
		expect(whole).toMatchObject({ ok: true, ops: 344_528 });
		expect(whole.ok && whole.ops * 1.4).toBeLessThan(CHANGE_LIMITS.ops);
		expect(pushWhole(longPlan).byteLength * 4).toBeLessThan(CHANGE_LIMITS.bytes);
		const changes = Automerge.getAllChanges(longPlan);
		expect(checkChanges(changes)).toMatchObject({ ok: true, ops: 344_528 });
		expect(changes.reduce((n, c) => n + c.byteLength, 0) * 4).toBeLessThan(CHANGE_LIMITS.bytes);
		for (const { doc } of demoDocuments()) expect(checkChanges(changesIn(pushWhole(doc))).ok).toBe(true);
	});

	it('take a tablet back from a 12-hour shift offline: 120 visits recorded and 60 comments', () => {
		const month = '2026-11' as Month;
		let log = genesis(logDocId(pal.patientId, month), newMeasureLog(pal.patientId, month)) as Automerge.Doc<MeasureLog>;
		const logBase = Automerge.getHeads(log);
		let plan = Automerge.clone(createPlanDocument(pal).doc);
		const planBase = Automerge.getHeads(plan);
		for (let i = 0; i < 120; i++) {
			const at = new Date(Date.UTC(2026, 10, 20, 6) + i * 6 * 60_000).toISOString();
			log = Automerge.change(log, (l) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at, slot: '08:00', note: 'Gitt som avtalt, ingen merknader.' }, { by: nurse, at }));
			if (i % 2) plan = Automerge.change(plan, (p) => addMeasureComment(p, pal.measures.eyeDrops, crypto.randomUUID() as ItemId, 'Synet virker litt dårligere i dag, sier datteren.', { by: nurse, at }));
		}
		expect(checkChanges(Automerge.getChanges(Automerge.view(log, logBase), log)).ok).toBe(true);
		expect(checkChanges(Automerge.getChanges(Automerge.view(plan, planBase), plan)).ok).toBe(true);
	});

	it('refuse more operations, deeper nesting, a longer text or string than allowed, and bytes that are no change', () => {
		const heads = Automerge.getHeads(longPlan);
		expect(checkChanges([deepChange(heads, CHANGE_LIMITS.depth).chunk]).ok).toBe(true);
		expect(checkChanges([deepChange(heads, CHANGE_LIMITS.depth + 1).chunk])).toMatchObject({ ok: false, excess: 'depth' });
		expect(checkChanges([hugeTextChange(heads, CHANGE_LIMITS.ops).chunk])).toMatchObject({ ok: false, excess: 'ops', detail: `${CHANGE_LIMITS.ops + 1} operations, at most ${CHANGE_LIMITS.ops}` });
		expect(checkChanges([hugeTextChange(heads, CHANGE_LIMITS.change).chunk])).toMatchObject({ ok: false, excess: 'ops', detail: `${CHANGE_LIMITS.change + 1} operations in one change, at most ${CHANGE_LIMITS.change}` });
		expect(checkChanges([hugeTextChange(heads, CHANGE_LIMITS.sequence + 1).chunk], { ...CHANGE_LIMITS, change: Infinity })).toMatchObject({ ok: false, excess: 'sequence' });
		const base = Automerge.from<Record<string, unknown>>({});
		const raw = Automerge.change(Automerge.clone(base), (d) => void (d.note = new Automerge.RawString('x'.repeat(CHANGE_LIMITS.string + 1))));
		expect(checkChanges(Automerge.getChanges(base, raw))).toMatchObject({ ok: false, excess: 'string' });
		expect(checkChanges([Uint8Array.of(0x85, 0x6f, 0x4a, 0x83, 9, 9, 9, 9)])).toMatchObject({ ok: false, excess: 'undecodable' });
	});
});

describe('ChangeChecker', () => {
	const checkers: ChangeChecker[] = [];
	afterEach(async () => {
		for (const c of checkers.splice(0)) await c.close();
	});
	const open = (options: ConstructorParameters<typeof ChangeChecker>[0]) => (checkers.push(new ChangeChecker(options)), checkers.at(-1)!);
	const heads = Automerge.getHeads(longPlan);
	const small = syncMessageWith(heads, deepChange(heads, 3));

	it('passes a message with what it decoded, refuses one past a limit, and refuses bytes past the limit unread', async () => {
		const checker = open({ workers: 1 });
		const change = deepChange(heads, 3);
		expect(await checker.check(syncMessageWith(heads, change))).toEqual({ ok: true, heads: [change.hash], need: [] });
		expect(await checker.check(syncMessageWith(heads, deepChange(heads, 40)))).toMatchObject({ ok: false, excess: 'depth' });
		expect(await checker.check(new Uint8Array(CHANGE_LIMITS.bytes + 1))).toMatchObject({ ok: false, excess: 'bytes' });
		expect(await checker.check(Uint8Array.of(0x42, 1, 2))).toMatchObject({ ok: false, excess: 'undecodable' });
	});

	it('gives up on a message past its time budget, and checks the next in a fresh worker', async () => {
		const checker = open({ workers: 1, budgetMs: 1 });
		const slow = syncMessageWith(heads, hugeTextChange(heads, CHANGE_LIMITS.change - 1));
		expect(await checker.check(slow)).toMatchObject({ ok: false, excess: 'time' });
		const patient = open({ workers: 1 });
		expect(await patient.check(slow)).toMatchObject({ ok: true });
	});

	it('does not count a worker’s start-up against the budget: an ordinary change is not refused while the worker loads', async () => {
		// Loading Automerge's wasm in a fresh worker takes 0.3–0.5 s here (more under load); checking this message, about 5 ms.
		const checker = open({ workers: 1, budgetMs: 150 });
		expect(await checker.check(small)).toMatchObject({ ok: true });
	});

	it('replaces a worker whose memory grew past its bound, and goes on checking', async () => {
		const checker = open({ workers: 1, maxMemoryBytes: 1 });
		for (let i = 0; i < 3; i++) expect(await checker.check(small)).toMatchObject({ ok: true });
	});
});

describe('SyncHub: a large message within the limits', () => {
	const open = harnessesPerTest();

	it('stores a month log made offline over a 12-hour shift, pushed whole as a document and applied in parts', async () => {
		const h = await open();
		const nurseUser = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;
		const tablet = await freshDevice(h, 'rana-tablet', nurseUser);
		const month = '2026-11' as Month;
		const logId = logDocId(pal.patientId, month);
		let log = genesis(logId, newMeasureLog(pal.patientId, month)) as Automerge.Doc<MeasureLog>;
		for (let i = 0; i < 120; i++) {
			const at = new Date(Date.UTC(2026, 10, 20, 6) + i * 6 * 60_000).toISOString();
			log = Automerge.change(log, (l) => recordMeasure(l, crypto.randomUUID() as ItemId, { outcome: 'done', measureId: pal.measures.eyeDrops, at, slot: '08:00', note: 'Gitt som avtalt, ingen merknader.' }, { by: personRefOf(nurseUser), at }));
		}
		tablet.docs.set(logId, log as Automerge.Doc<unknown>);
		tablet.sync([logId]);
		await tablet.settle();
		expect(tablet.received('refused')).toEqual([]);
		expect(sorted(tablet.acked.get(logId) ?? [])).toEqual(sorted(Automerge.getHeads(log)));
		expect(Object.keys((await storedDoc<MeasureLog>(h.store, logId)).entries)).toHaveLength(120);
	});
});
