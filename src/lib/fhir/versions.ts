/**
 * Versions of the FHIR resources read from the plan document's Automerge history: a resource's
 * version is the number of changes that touched the part of the plan it is made from, and its
 * history is the list of those changes' hashes, oldest first. A change touches a part when one
 * of its operations writes into that part's objects (or puts the part into its collection).
 *
 * Built incrementally: `indexChanges` takes the changes since the last call, in causal order (as
 * `getAllChanges` / `getChangesSince` give them), so a document is decoded once per process.
 */
import type { DecodedChange } from '@automerge/automerge';

/** A resource as history knows it: `Condition/<id>`, `CarePlan`, `CareTeam`, `Patient`, … */
export type ResourceKey = string;

export type HistoryIndex = {
	/** Which resources each Automerge object belongs to (an item's map, its stamps, texts, lists). */
	objects: Map<string, readonly ResourceKey[]>;
	/** The hashes of the changes that touched each resource, oldest first. */
	touched: Map<ResourceKey, string[]>;
	/** The heads the index has seen up to. */
	heads: string[];
};

/** The plan's collections whose entries are resources of their own, and the resource type each holds. */
const ITEM_COLLECTIONS: Record<string, string> = { diagnoses: 'Condition', goals: 'Goal', measures: 'ServiceRequest', whatMatters: 'Goal', careTeam: 'PractitionerRole' };
const COLLECTION = 'collection:';

export function emptyIndex(): HistoryIndex {
	return { objects: new Map([['_root', []]]), touched: new Map(), heads: [] };
}

/** What a root key's objects belong to. */
function rootOwners(key: string): readonly ResourceKey[] {
	if (key === 'patient') return ['Patient'];
	if (key === 'careTeam') return [`${COLLECTION}careTeam`, 'CareTeam'];
	if (key in ITEM_COLLECTIONS) return [`${COLLECTION}${key}`, 'CarePlan'];
	return ['CarePlan'];
}

/**
 * What an operation on an object owned by `owners` at `key` touches (`touched`), and what an
 * object it makes there belongs to (`owns`): putting an item into its collection touches the item
 * and the resources listing it, while the item's own objects belong to the item alone.
 */
function ownersAt(owners: readonly ResourceKey[], obj: string, key: string | undefined): { touched: readonly ResourceKey[]; owns: readonly ResourceKey[] } {
	if (obj === '_root') {
		const at = key === undefined ? ['CarePlan'] : rootOwners(key);
		return { touched: at, owns: at };
	}
	const collection = owners.find((o) => o.startsWith(COLLECTION));
	if (!collection || key === undefined) return { touched: owners, owns: owners };
	const name = collection.slice(COLLECTION.length);
	const type = ITEM_COLLECTIONS[name]!;
	// A care team member is both a participant of the CareTeam and a PractitionerRole.
	const item = name === 'careTeam' ? ['CareTeam', `${type}/${key}`] : [`${type}/${key}`];
	return { touched: [...item, ...owners.filter((o) => o !== collection)], owns: item };
}

/** Adds the given changes (in causal order, none already indexed) to the index; returns the resources they touched. */
export function indexChanges(index: HistoryIndex, changes: readonly DecodedChange[], heads: string[]): Set<ResourceKey> {
	const all = new Set<ResourceKey>();
	for (const change of changes) {
		const touched = new Set<ResourceKey>();
		change.ops.forEach((op, i) => {
			const owners = index.objects.get(op.obj);
			if (!owners) return;
			const key = typeof op.key === 'string' ? op.key : undefined;
			const at = ownersAt(owners, op.obj, key);
			for (const o of at.touched) if (!o.startsWith(COLLECTION)) touched.add(o);
			if (op.action.startsWith('make')) index.objects.set(`${change.startOp + i}@${change.actor}`, at.owns);
		});
		for (const key of touched) {
			const list = index.touched.get(key);
			if (list) list.push(change.hash);
			else index.touched.set(key, [change.hash]);
			all.add(key);
		}
	}
	index.heads = heads;
	return all;
}

/** A resource's version: how many changes touched it (0 when none did: it is not in the plan). */
export function versionOf(index: HistoryIndex, key: ResourceKey): number {
	return index.touched.get(key)?.length ?? 0;
}
