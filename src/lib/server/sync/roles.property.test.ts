// The register's role rules against random interleavings: devices of real users of every role
// (the Rana nurse, the GP, Pål, his daughter with a full proxy, his grandson who may read the plan
// only), each a real device (PlanRepository on fake-indexeddb + SyncClient), make changes their
// role allows and changes it does not, while a seeded network between them and the hub (SyncHub
// on SQLite) reorders, duplicates and drops frames and connections come and go. After a last
// clean reconnect of every device: each holds exactly what its user may read, at the register's
// heads; every acknowledged change is in the register; a change the rules forbid is never in it
// and lies set aside on the device that made it; what the register holds is valid; every change
// it holds has its access-log line and its provenance record. PROPERTY_RUNS sets the number of runs (CI: 1000).
//
// Nothing here is timed: the network moves a frame only when the generated schedule says so, and
// item ids come from the schedule. Automerge's actor ids (crypto.getRandomValues), random ids and
// the clock (change times, stamps) are made from the scenario too (`deterministic`), so a seed
// replays its run exactly: the same users, changes, hashes and frames in the same order. A failure
// prints `{ seed: …, path: … }`, the counterexample and a diagnosis (each device's state, what it
// and the register hold); replay it with
//   PROPERTY_SEED=<seed> PROPERTY_PATH=<path> npx vitest run src/lib/server/sync/roles.property.test.ts
//
// Cost: every frame reads the whole plan on both sides, so a run is kept small (2–3 devices, at
// most 16 steps, Pål's plan cut to what the changes touch): 1,000 runs take about 95 s of CPU.
//
// What it found, each fixed with a test of its own:
// - the change checker's time budget counted a worker's start-up, so a loaded server refused
//   ordinary changes as too large (change-limits.test.ts);
// - two people restricting the plan at the same time: the one whose version Automerge's tie-break
//   hid was refused as "stamped as another" (seed -964602643; rules-conflicts.test.ts);
// - a change waiting in the register's copy for one it depends on made no device's heads count as
//   held, so stored changes went unacknowledged and tablets showed them unsent (seed 263269194;
//   heads.test.ts, hub-storage.test.ts).
// Those failures replayed only some of the times (actor ids were random then), so whole-suite runs
// seemed to fail where runs alone passed; it was chance, not the suite.
import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { expect, it, vi } from 'vitest';
import { parseDocumentId, type DocumentId } from '$lib/domain/ids';
import { pal } from '$lib/fixtures';
import { allows, type User } from '$lib/server/access/users';
import type { AuditEntry, DocumentStore } from '$lib/server/store';
import { openSqliteStore } from '$lib/server/store/sqlite';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from '$lib/sync/client';
import { holdsHeads } from '$lib/sync/heads';
import { decodeServerMessage, headsHash } from '$lib/sync/protocol';
import { ScheduledLink, type Fault } from '$lib/sync/scheduled-link';
import { accessibleDocs, principalFor } from './access';
import { sameHeads } from './chunks';
import { SyncHub } from './hub';
import { EDIT_KINDS, makeEdit, palPlanDocument, roleUsers, type Edit, type EditKind } from './role-edits';
import { sharedChecker, storedDoc, wrapStore } from './test-support';
import { isLogOf, isPlanOf } from './summary';

type Action =
	| { kind: 'edit'; device: number; edit: EditKind }
	| { kind: 'net'; device: number; toServer: boolean; pick: number; fault: Fault }
	| { kind: 'reconnect' | 'disconnect'; device: number };

const device = fc.nat({ max: 3 });
const action: fc.Arbitrary<Action> = fc.oneof(
	{ weight: 3, arbitrary: fc.record({ kind: fc.constant('edit' as const), device, edit: fc.constantFrom(...EDIT_KINDS) }) },
	{
		weight: 6,
		arbitrary: fc.record({ kind: fc.constant('net' as const), device, toServer: fc.boolean(), pick: fc.nat({ max: 7 }), fault: fc.constantFrom<Fault>('deliver', 'deliver', 'deliver', 'deliver', 'duplicate', 'drop') })
	},
	{ weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('reconnect' as const, 'disconnect' as const), device }) }
);
const scenario = fc.record({ users: fc.shuffledSubarray([...roleUsers], { minLength: 2, maxLength: 3 }), actions: fc.array(action, { minLength: 1, maxLength: 16 }) });

/**
 * Makes a run's randomness come from its scenario: Automerge's actor ids (crypto.getRandomValues),
 * random ids (crypto.randomUUID) and the clock (change times and stamps; frozen) would otherwise
 * differ per replay, and with them hashes, heads order and which concurrent write wins, so a seed
 * would not replay its failure. Returns the undo.
 */
function deterministic(scenario: unknown): () => void {
	let state = [...JSON.stringify(scenario)].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);
	// mulberry32
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const fill = <T extends ArrayBufferView | null>(array: T): T => {
		if (array) {
			const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
			for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
		}
		return array;
	};
	const random = vi.spyOn(globalThis.crypto, 'getRandomValues').mockImplementation(fill as typeof crypto.getRandomValues);
	const uuid = vi.spyOn(globalThis.crypto, 'randomUUID').mockImplementation(() => {
		const b = fill(new Uint8Array(16));
		b[6] = (b[6]! & 0x0f) | 0x40;
		b[8] = (b[8]! & 0x3f) | 0x80;
		const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
		return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` as `${string}-${string}-${string}-${string}-${string}`;
	});
	vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-10T09:00:00.000Z') });
	return () => {
		random.mockRestore();
		uuid.mockRestore();
		vi.useRealTimers();
	};
}

type Device = { user: User; peerId: string; repo: PlanRepository; client: SyncClient; link: ScheduledLink | null; edits: Edit[] };
type Ack = { docId: DocumentId; heads: string[] };

/** Pål's plan as every device holds it in the morning, made deterministically too, so a replay in another process starts from the same document. */
const base = (() => {
	const undo = deterministic('base');
	try {
		return palPlanDocument();
	} finally {
		undo();
	}
})();
/** Frames one run may deliver while settling before it counts as a livelock. */
const MAX_DELIVERIES = 2000;
let run = 0;

/** Lets work the last delivery started elsewhere (the hub's pushes to other sessions) finish: a few quiet turns. */
async function quiet(devices: readonly Device[]): Promise<void> {
	const inFlight = () => devices.reduce((n, d) => n + (d.link?.inFlight ?? 0), 0);
	for (let still = 0, last = inFlight(); still < 2; ) {
		await new Promise((resolve) => setImmediate(resolve));
		still = inFlight() === last ? still + 1 : 0;
		last = inFlight();
	}
}

/** Delivers every frame in order, faithfully, until nothing moves. */
async function settle(devices: readonly Device[]): Promise<void> {
	for (let delivered = 0; ; ) {
		await quiet(devices);
		const busy = devices.filter((d) => d.link?.inFlight);
		if (!busy.length) return;
		for (const d of busy) if (await d.link!.next()) delivered++;
		if (delivered > MAX_DELIVERIES) throw new Error(`sync did not settle after ${MAX_DELIVERIES} frames`);
	}
}

/**
 * Whether the device keeps an edit among the versions it set aside: in the version's whole copy,
 * or, only when the user may read nothing of the patient any more, as text.
 */
async function setAsideOn(d: Device, readsPatient: boolean): Promise<(edit: Edit) => boolean> {
	const rows = (await d.repo.setAsideList()).map((row) => ({ docId: row.docId, doc: row.bytes ? A.load(row.bytes) : null, asText: row.changes.length > 0 }));
	return (edit) => rows.some((row) => row.docId === edit.docId && (row.doc ? holdsHeads(row.doc, [edit.hash]) : !readsPatient && row.asText));
}

/** The register's record of who made a stored change: its access-log line and its provenance. */
async function expectAttributed(store: DocumentStore, changeLines: readonly AuditEntry[], d: Device, edit: Edit): Promise<void> {
	expect(changeLines.some((l) => l.docId === edit.docId && l.who.id === d.user.id), `access-log line for ${edit.hash}`).toBe(true);
	expect((await store.provenance(edit.docId, 10_000)).filter((p) => p.changes.includes(edit.hash)).map((p) => p.who.id), `provenance of ${edit.hash}`).toEqual([d.user.id]);
}

async function checkQuiescence(store: DocumentStore, devices: readonly Device[], acks: readonly Ack[], commits: number): Promise<void> {
	const register = new Map<DocumentId, A.Doc<unknown>>();
	for (const { docId } of await store.manifest()) {
		const doc = await storedDoc<unknown>(store, docId);
		const ref = parseDocumentId(docId)!;
		// Nothing invalid is stored (the whole-document schema, when it lands, is checked here).
		expect(ref.kind === 'plan' ? isPlanOf(A.toJS(doc), ref) : isLogOf(A.toJS(doc), ref), `${docId} valid`).toBe(true);
		register.set(docId, doc);
	}
	const inRegister = (e: Edit) => holdsHeads(register.get(e.docId) ?? A.init(), [e.hash]);
	for (const ack of acks) expect(holdsHeads(register.get(ack.docId) ?? A.init(), ack.heads), `acknowledged ${ack.docId} kept`).toBe(true);
	const lines = await store.audit(pal.patientId, 1_000_000);
	const changeLines = lines.filter((l) => l.action === 'change');
	expect(changeLines).toHaveLength(commits);
	for (const d of devices) {
		const readable = await accessibleDocs(store, await principalFor(store, d.peerId, d.user));
		const expected = readable.map((doc) => [doc.docId, headsHash(doc.heads)]).sort();
		expect((await d.repo.manifest()).sort(), `${d.user.role} ${d.user.name} holds what they may read`).toEqual(expected);
		if (!allows(d.user, 'visits')) expect(expected.filter(([docId]) => parseDocumentId(docId)?.kind !== 'plan')).toEqual([]);
		expect(await d.repo.unsyncedDocs(), `${d.user.name} has sent everything (${d.client.state.phase}, refusals ${JSON.stringify(d.client.state.refusals.map((r) => [r.reason, r.detail]))})`).toEqual([]);
		const setAside = await setAsideOn(d, readable.length > 0);
		const asideRows = JSON.stringify((await d.repo.setAsideList()).map((r) => [r.docId.split(':')[0], r.reason, r.detail, r.bytes ? 'copy' : 'text']));
		const refusedOn = new Set(d.edits.filter((e) => e.refusable).map((e) => e.docId));
		for (const e of d.edits) {
			if (e.refusable) {
				expect(inRegister(e), `refused ${e.hash} not stored`).toBe(false);
				expect(setAside(e), `${d.user.name}'s refused ${e.hash} set aside (rows ${asideRows})`).toBe(true);
				// A refusal of a document the user may read is in the patient's access log too.
				if (readable.some((r) => r.docId === e.docId)) expect(lines.some((l) => l.action === 'refused' && l.docId === e.docId && l.who.id === d.user.id), `refusal of ${e.hash} logged`).toBe(true);
			} else if (!refusedOn.has(e.docId)) {
				// A device that made no forbidden change to a document loses none of its changes to it.
				expect(inRegister(e), `${d.user.name}'s ${e.hash} stored (set aside: ${asideRows})`).toBe(true);
			} else {
				// Built on a forbidden change, or sent with one: refused with it, and kept on the device.
				expect(inRegister(e) || setAside(e), `${e.hash} stored or set aside`).toBe(true);
			}
			if (inRegister(e)) await expectAttributed(store, changeLines, d, e);
		}
	}
}

/**
 * What a failed run looked like at rest, for the report: each device's state and what it and the
 * register hold, whether the hub still had work when the run thought it quiet, and whether the
 * check passes once that work and the frames it sent are done (a test that ended too early).
 */
async function diagnosis(hub: SyncHub, store: DocumentStore, devices: readonly Device[], check: () => Promise<void>): Promise<string> {
	const short = (heads: readonly string[] | undefined) => (heads ?? []).map((h) => h.slice(0, 8)).join(',');
	const register = new Map((await store.manifest()).map((m) => [m.docId, m.heads] as const));
	const lines = [`register: ${[...register].map(([id, heads]) => `${id.split(':')[0]}@${short(heads)}`).join(' ')}`];
	for (const d of devices) {
		const rows = await d.repo.db.docs.toArray();
		const unsynced = await d.repo.db.unsynced.toArray();
		lines.push(
			`${d.user.role} ${d.user.name}: link ${d.link?.isOpen ? 'open' : 'closed'}, in flight ${d.link?.inFlight ?? 0}, phase ${d.client.state.phase}, progress ${JSON.stringify(d.client.state.progress)}, refusals ${JSON.stringify(d.client.state.refusals.map((r) => r.reason))}`,
			`  holds ${rows.map((r) => `${r.docId.split(':')[0]}@${short(r.heads)}${register.has(r.docId) && sameHeads(r.heads, register.get(r.docId)!) ? '' : '(differs)'}`).join(' ')}; unsent ${unsynced.map((u) => `${u.docId.split(':')[0]} (${u.changes ?? '?'} changes)`).join(' ') || 'none'}`
		);
	}
	const hubHadWork = await hub.idle();
	let after = 'still fails after waiting for the hub and settling again';
	try {
		await settle(devices);
		await check();
		after = 'PASSES after waiting for the hub and settling again: the run was checked before it was at rest';
	} catch (again) {
		after += `: ${again instanceof Error ? again.message.split('\n')[0] : String(again)}`;
	}
	lines.push(`hub ${hubHadWork ? 'still had work' : 'was idle'} when checked; ${after}`);
	return lines.join('\n');
}


it('keeps the role rules and converges, whatever devices of every role do and the network does to their frames', { timeout: 60 * 60_000 }, async () => {
	const seed = process.env.PROPERTY_SEED;
	await fc.assert(
		fc.asyncProperty(scenario, async ({ users, actions }) => {
			run++;
			const undo = deterministic({ users, actions });
			let commits = 0;
			let seeding = true;
			const inner = openSqliteStore(':memory:');
			const store = wrapStore(inner, {
				commit: async (...args) => {
					const result = await inner.commit(...args);
					if (result.ok && !seeding) commits++;
					return result;
				}
			});
			const hub = new SyncHub(store, { log: () => undefined, checker: sharedChecker() });
			await hub.seedIfEmpty([base]);
			seeding = false;
			const acks: Ack[] = [];
			const devices: Device[] = users.map((user, i) => {
				const repo = new PlanRepository(new DbepDb(`roles-${run}-${i}`));
				const peerId = `roles-${run}-${i}`;
				return { user, peerId, repo, client: new SyncClient(repo, { peerId }), link: null, edits: [] };
			});
			const observe = (frame: Uint8Array) => {
				const decoded = decodeServerMessage(frame);
				if (decoded.ok && decoded.message.type === 'ack') acks.push(...decoded.message.docs);
			};
			const connect = async (d: Device) => {
				d.link?.close();
				d.link = await ScheduledLink.open((send, ended) => hub.connect(send, { user: d.user, disconnect: ended }), d.client, observe);
			};
			const registerHolds = async (entryId: string) => {
				const log = (await inner.manifest([pal.patientId])).find((m) => parseDocumentId(m.docId)?.kind === 'log');
				if (!log) return false;
				const doc = await storedDoc<{ entries: Record<string, unknown> }>(inner, log.docId);
				return doc.entries?.[entryId] !== undefined;
			};
			try {
				// The morning's sync: every device holds Pål's plan as the register does (the grandson too: he may read it).
				const summaries = await store.summaries([pal.patientId]);
				const snapshot = { docId: base.docId, patientId: base.patientId, heads: A.getHeads(base.doc), bytes: A.save(base.doc) };
				for (const d of devices) await d.repo.importSnapshots([snapshot], summaries);
				let n = 0;
				for (const a of actions) {
					const d = devices[a.device % devices.length]!;
					if (a.kind === 'edit') {
						const edit = await makeEdit(d.repo, d.user, a.edit, n++, registerHolds);
						if (edit) d.edits.push(edit);
						if (edit && d.link?.isOpen) await d.client.localChanged();
					} else if (a.kind === 'net') {
						if (await d.link?.step(a.toServer, a.pick, a.fault)) await quiet(devices);
					} else if (a.kind === 'reconnect') await connect(d);
					else d.link?.close();
				}
				for (const d of devices) await connect(d);
				await settle(devices);
				try {
					await checkQuiescence(store, devices, acks, commits);
				} catch (error) {
					throw new Error(`${error instanceof Error ? error.message : String(error)}\n${await diagnosis(hub, store, devices, () => checkQuiescence(store, devices, acks, commits))}`, { cause: error });
				}
			} finally {
				for (const d of devices) d.link?.close();
				await hub.close();
				await inner.close();
				for (const d of devices) {
					d.repo.close();
					await d.repo.db.delete();
				}
				undo();
			}
		}),
		{ numRuns: Number(process.env.PROPERTY_RUNS ?? 25), ...(seed ? { seed: Number(seed), path: process.env.PROPERTY_PATH } : {}) }
	);
});
