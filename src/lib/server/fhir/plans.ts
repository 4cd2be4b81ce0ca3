/**
 * The FHIR resources of patients' plans as the register holds them now, kept per plan at the
 * heads they were made from. A plan's history is decoded once per process (in slices, yielding
 * between them, so a long history never blocks the event loop for long) and then only the
 * changes since; resources are made again only when the plan's heads moved.
 */
import * as Automerge from '@automerge/automerge';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { planResources, type PlanResources } from '$lib/fhir/resources';
import { emptyIndex, indexChanges, type HistoryIndex } from '$lib/fhir/versions';
import type { SyncHub } from '$lib/server/sync/hub';

/** One plan as FHIR: the plan, its history index and its resources, all at `heads`. */
export type PlanView = { patientId: PatientId; heads: string; plan: Plan; index: HistoryIndex; resources: PlanResources };

type Entry = { index: HistoryIndex; view: PlanView | null; busy: Promise<unknown> };

/** Changes decoded between two turns of the event loop. */
const SLICE = 25;
const MAX_PLANS = 200;

/** Where each item resource lives in the plan. */
const COLLECTIONS: Record<string, readonly ('diagnoses' | 'goals' | 'whatMatters' | 'measures')[]> = { Condition: ['diagnoses'], Goal: ['goals', 'whatMatters'], ServiceRequest: ['measures'] };

/**
 * The plan with the items `touched` read again from `doc`; null when a change touched more than
 * items (the CarePlan's own parts, the care team, the patient): then the whole plan is read.
 */
function patched(plan: Plan, doc: Automerge.Doc<unknown>, touched: ReadonlySet<string>): Plan | null {
	const next = { ...plan };
	const live = doc as unknown as Plan;
	for (const key of touched) {
		const [type, id] = key.split('/') as [string, string | undefined];
		const collection = id ? COLLECTIONS[type]?.find((c) => id in live[c]) : undefined;
		if (!id || !collection) return null;
		// A plain copy of one item: its proxy is not kept past this read.
		next[collection] = { ...next[collection], [id]: JSON.parse(JSON.stringify(live[collection][id])) };
	}
	return next;
}

export class FhirPlans {
	readonly #entries = new Map<PatientId, Entry>();
	/** Which patient's plan holds an item id: learnt from every plan made into resources. */
	readonly #owners = new Map<string, PatientId>();

	constructor(
		readonly hub: Pick<SyncHub, 'read'>,
		readonly hprOf: (personId: string) => string | null
	) {}

	/** The patient whose plan (as last seen here) holds this item id, if any. */
	ownerOf(itemId: string): PatientId | undefined {
		return this.#owners.get(itemId);
	}

	/** Whether the patient's plan holds an item resource (`Condition`, `Goal`, `ServiceRequest`, `PractitionerRole`) by this id: a look into the document, no history read. */
	async holds(patientId: PatientId, type: string, id: string): Promise<boolean> {
		const places = type === 'PractitionerRole' ? (['careTeam'] as const) : (COLLECTIONS[type] ?? []);
		const found = await this.hub.read(planDocId(patientId), (doc) => places.some((c) => Object.hasOwn((doc as unknown as Plan)[c] ?? {}, id)));
		if (found) this.#owners.set(id, patientId);
		return found === true;
	}

	/** The patient's plan as FHIR now; null when the register holds no plan for them. */
	view(patientId: PatientId): Promise<PlanView | null> {
		let entry = this.#entries.get(patientId);
		if (!entry) {
			entry = { index: emptyIndex(), view: null, busy: Promise.resolve() };
			this.#entries.set(patientId, entry);
			if (this.#entries.size > MAX_PLANS) this.#entries.delete(this.#entries.keys().next().value!);
		}
		// One refresh at a time per plan: the index takes each change once, in order.
		const next = entry.busy.then(() => this.#refresh(patientId, entry));
		entry.busy = next.catch(() => undefined);
		return next;
	}

	async #refresh(patientId: PatientId, entry: Entry): Promise<PlanView | null> {
		const read = await this.hub.read(planDocId(patientId), (doc) => {
			const heads = Automerge.getHeads(doc);
			const key = [...heads].sort().join(',');
			if (entry.view?.heads === key) return { key, heads, changes: null, plan: entry.view.plan };
			const changes = Automerge.getChangesSince(doc, entry.index.heads);
			// A few new changes (a write just made): indexed now, and only the items they touched read again.
			if (entry.view && changes.length <= SLICE) {
				const touched = indexChanges(entry.index, changes.map(Automerge.decodeChange), heads);
				return { key, heads, changes: null, plan: patched(entry.view.plan, doc, touched) ?? (Automerge.toJS(doc) as Plan) };
			}
			return { key, heads, changes, plan: Automerge.toJS(doc) as Plan };
		});
		if (!read) return null;
		if (entry.view?.heads === read.key) return entry.view;
		for (let i = 0; i < (read.changes?.length ?? 0); i += SLICE) {
			indexChanges(entry.index, read.changes!.slice(i, i + SLICE).map(Automerge.decodeChange), entry.index.heads);
			if (i + SLICE < read.changes!.length) await new Promise((resolve) => setImmediate(resolve));
		}
		entry.index.heads = read.heads;
		const resources = planResources(read.plan, { index: entry.index, hprOf: this.hprOf });
		for (const key of resources.keys()) this.#owners.set(key.slice(key.indexOf('/') + 1), patientId);
		entry.view = { patientId, heads: read.key, plan: read.plan, index: entry.index, resources };
		return entry.view;
	}
}
