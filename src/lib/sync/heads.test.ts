import * as A from '@automerge/automerge';
import { expect, it } from 'vitest';
import { holdsHeads } from '$lib/sync/heads';
it("tells whether a document holds the given heads, without rebuilding changes", () => {
  const a = A.change(A.init<{n:number}>(), d => { d.n = 1; });
  const b = A.change(A.clone(a), d => { d.n = 2; });
  expect(holdsHeads(a, A.getHeads(a))).toBe(true);
  expect(holdsHeads(b, A.getHeads(a))).toBe(true);
  expect(holdsHeads(a, A.getHeads(b))).toBe(false);
  expect(holdsHeads(a, [])).toBe(true);
});
