/**
 * A long plan's read model as it travels with its snapshot: the plan's plain value and its
 * conflicts at the snapshot's heads, computed by the register from the same document with the
 * domain's own functions (`A.toJS`, `planConflicts`), so it is the view the device would compute
 * by parsing. A device that arrives fresh can then open a plan with two years of history without
 * Automerge replaying it. The register stores the encoded bytes beside the chunks and sends them
 * as they are; the device checks them here, at the boundary, and drops a view that fails: the plan
 * is then parsed as before, so nothing untrue is ever shown.
 *
 * Encoded as UTF-8 JSON, not CBOR: cborg writes map keys in canonical (length-first) order, and
 * JSON keeps the order Automerge gives, which is the order a parsed plan renders in.
 */
import * as v from 'valibot';
import { isConflictList, type PlanConflict } from '$lib/domain/conflicts';
import { parseDocumentId, type DocumentId } from '$lib/domain/ids';
import { documentProblem } from '$lib/domain/schema';

/** A plan's value and conflicts at `heads`: what the device stores in its `views` table. */
export type SnapshotView = { heads: string[]; value: unknown; conflicts: PlanConflict[] };

/** Encoded views above this are not read (a plan's view is about the size of its saved bytes). */
export const MAX_VIEW_BYTES = 8 * 1024 * 1024;

const HEAD = /^[0-9a-f]{1,128}$/;
const viewSchema = v.object({
	heads: v.pipe(v.array(v.pipe(v.string(), v.regex(HEAD))), v.minLength(1), v.maxLength(1000)),
	value: v.unknown(),
	conflicts: v.custom<PlanConflict[]>(isConflictList, 'not a conflict list')
});

/** Encodes a view to the bytes the register stores and sends. */
export function encodeSnapshotView(view: SnapshotView): Uint8Array {
	return new TextEncoder().encode(JSON.stringify(view));
}

/** Why a received view is not used: unreadable, or not a valid plan of that document at those heads. */
export type ViewProblem = 'view-unreadable' | 'view-invalid' | 'view-not-a-plan' | 'view-other-heads';

/**
 * The view sent with the snapshot of `docId` at `heads`, checked: readable JSON of the right
 * shape, a valid plan of that very patient (the register's own schema), at exactly the
 * snapshot's heads. Otherwise the reason it is dropped.
 */
export function decodeSnapshotView(bytes: Uint8Array, docId: DocumentId, heads: readonly string[]): { ok: true; view: SnapshotView } | { ok: false; problem: ViewProblem } {
	const ref = parseDocumentId(docId);
	if (ref?.kind !== 'plan') return { ok: false, problem: 'view-not-a-plan' };
	if (bytes.byteLength > MAX_VIEW_BYTES) return { ok: false, problem: 'view-unreadable' };
	let raw: unknown;
	try {
		raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
	} catch {
		return { ok: false, problem: 'view-unreadable' };
	}
	const parsed = v.safeParse(viewSchema, raw);
	if (!parsed.success) return { ok: false, problem: 'view-invalid' };
	const view = parsed.output;
	if (documentProblem(ref, view.value) !== null) return { ok: false, problem: 'view-invalid' };
	if (!sameHeadSet(view.heads, heads)) return { ok: false, problem: 'view-other-heads' };
	return { ok: true, view };
}

function sameHeadSet(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}
