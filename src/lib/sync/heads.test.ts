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
