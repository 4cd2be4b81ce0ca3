/**
 * `meta` of a resource: its version from the document's history (versions.ts), and when and by
 * whom it was last changed, read from the stamps the plan keeps beside every edit (`<field>Stamp`,
 * `status`, `errorStamp`, `createdBy`/`createdAt`, …), so the time is the clinician's own, not
 * the Automerge change's (whole seconds, and 0 for a document's genesis).
 */
import type { Meta, Reference } from 'fhir/r4';
import type { PersonRef } from '$lib/domain/plan';
import { CHANGED_BY_SYSTEM, HPR_SYSTEM } from './systems';

/** The latest time something in a part of the plan was written, and who wrote it. */
export type Touch = { at: string; by: PersonRef | null };

const PAIRS: readonly [string, string][] = [
	['createdBy', 'createdAt'],
	['addedBy', 'addedAt'],
	['endedBy', 'endedAt'],
	['recordedBy', 'at']
];

function isPerson(value: unknown): value is PersonRef {
	return typeof value === 'object' && value !== null && typeof (value as PersonRef).name === 'string' && typeof (value as PersonRef).role === 'string';
}

/** The latest stamp anywhere in `value` (an item, or several): `{ by, at }`, or one of the known pairs. */
export function lastTouch(value: unknown, seed: Touch | null = null): Touch | null {
	let best = seed;
	const visit = (v: unknown) => {
		if (typeof v !== 'object' || v === null) return;
		if (Array.isArray(v)) return v.forEach(visit);
		const o = v as Record<string, unknown>;
		const consider = (by: unknown, at: unknown) => {
			if (typeof at === 'string' && (!best || at > best.at)) best = { at, by: isPerson(by) ? by : null };
		};
		consider(o.by, o.at);
		for (const [by, at] of PAIRS) if (by in o) consider(o[by], o[at]);
		if ('expressedBy' in o) consider(o.expressedBy, o.createdAt);
		Object.values(o).forEach(visit);
	};
	visit(value);
	return best;
}

/** The resource's `meta`: version, last change, and tags naming who made it (stable id; HPR number for a clinician). */
export function metaOf(version: number, touch: Touch | null): Meta {
	const tag = [];
	const by = touch?.by;
	if (by?.id) tag.push({ system: CHANGED_BY_SYSTEM, code: by.id, display: by.name });
	if (by?.hpr) tag.push({ system: HPR_SYSTEM, code: by.hpr, display: by.name });
	return { versionId: String(version), ...(touch ? { lastUpdated: touch.at } : {}), ...(tag.length ? { tag } : {}) };
}

/** A person the plan names (author, who expressed a goal): a logical reference by HPR number where there is one. */
export function personReference(person: PersonRef): Reference {
	return person.hpr ? { identifier: { system: HPR_SYSTEM, value: person.hpr }, display: person.name } : { display: person.name };
}
