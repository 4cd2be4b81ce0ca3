import * as A from '@automerge/automerge';
import { expect, it } from 'vitest';
import { carriesChanges, holdsHeads } from '$lib/sync/heads';

it('tells whether a document holds the given heads, without rebuilding changes', () => {
	const a = A.change(A.init<{ n: number }>(), (d) => void (d.n = 1));
	const b = A.change(A.clone(a), (d) => void (d.n = 2));
	expect(holdsHeads(a, A.getHeads(a))).toBe(true);
	expect(holdsHeads(b, A.getHeads(a))).toBe(true);
	expect(holdsHeads(a, A.getHeads(b))).toBe(false);
	expect(holdsHeads(a, [])).toBe(true);
});

it('tells a sync message that sends changes from one that only sends heads, and garbage from either', () => {
	const doc = A.change(A.init<{ n: number }>(), (d) => void (d.n = 1));
	const [, ask] = A.generateSyncMessage(A.init(), A.initSyncState());
	const [, answer] = A.generateSyncMessage(doc, A.receiveSyncMessage(doc, A.initSyncState(), ask!)[1]);
	expect(carriesChanges(ask)).toBe(false);
	expect(carriesChanges(answer)).toBe(true);
	expect(carriesChanges(Uint8Array.of(1, 2, 3))).toBe(false);
	expect(carriesChanges(null)).toBe(false);
});

// Seen in the role property test: the register's copy of Pål's plan held a change from the
// daughter's device that waited for one it had not sent, and from then on no device's heads
// counted as held: Pål's stored change was never acknowledged, and his tablet showed it unsent.
it('tells the heads held while the document waits on a change whose dependency it lacks', () => {
	const a = A.change(A.init<{ n: number }>(), (d) => void (d.n = 1));
	const b = A.change(A.clone(a), (d) => void (d.n = 2));
	const c = A.change(A.clone(b), (d) => void (d.n = 3));
	const [waiting] = A.applyChanges(A.clone(a), [A.getLastLocalChange(c)!]);
	expect(A.getMissingDeps(waiting, [])).toEqual(A.getHeads(b));
	expect(holdsHeads(waiting, A.getHeads(a))).toBe(true);
	expect(holdsHeads(waiting, A.getHeads(b))).toBe(false);
	expect(holdsHeads(waiting, A.getHeads(c))).toBe(false);
});
