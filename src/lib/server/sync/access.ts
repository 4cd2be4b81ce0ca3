import type { DocumentRef, PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { allows, isClinician, type User } from '$lib/server/access/users';
import { parseDocumentId } from '$lib/domain/ids';
import type { DocHeads, DocumentStore } from '$lib/server/store';

/**
 * Who is on the other end of a session: the device's id, the user the transport authenticated,
 * and the patients that user may see, decided when the device says hello (and again when a plan
 * it holds changes), so a change of care team takes effect at once. `emergency` holds the
 * patients seen through emergency access, with when that access ends. `user: null` is a
 * transport that does not authenticate (in-process tests): it sees every patient.
 */
export type Principal = {
	peerId: string;
	user: User | null;
	patients: ReadonlySet<PatientId> | 'all';
	emergency: ReadonlyMap<PatientId, string>;
	/** The document kinds the principal may hold, when not all: a proxy without 'visits' sees the plan only. */
	kinds?: ReadonlySet<DocumentRef['kind']>;
	/** Which login the device's session is (`loginRef`), when the transport knows it: provenance names it. */
	login?: string;
	/** The system the user acts through, when not the app (an EHR through the FHIR API): every access-log line names it. */
	via?: string;
};

/**
 * What the register holds under a national ID: no plan, one, or several. Several exist only in a
 * register that stored a second plan for one person before that was refused; nothing may pick one
 * of them (emergency access or the status call could go to a decoy), so callers refuse.
 */
export type NationalIdLookup = { found: 'none' } | { found: 'one'; summary: PatientSummary } | { found: 'several'; patientIds: PatientId[] };

/** The patient's plan by national ID, from the store's index. */
export async function planByNationalId(store: DocumentStore, nationalId: string): Promise<NationalIdLookup> {
	const held = await store.patientsByNationalId(nationalId);
	const [one] = held;
	if (!one) return { found: 'none' };
	return held.length === 1 ? { found: 'one', summary: one } : { found: 'several', patientIds: held.map((s) => s.patientId) };
}

/** Whether a patient has blocked this user (a block holds even against emergency access). */
export function blocks(summary: Pick<PatientSummary, 'blocked'>, user: Pick<User, 'id'>): boolean {
	return (summary.blocked ?? []).includes(user.id);
}

/**
 * The patients a user needs to know about now: a clinician, those whose plan names them on the
 * care team (an active member with their user id) and those they hold running emergency access
 * to, less those who blocked them or (for emergency access) restricted their plan; a patient,
 * themself; a proxy, those they hold a proxy for.
 */
export async function accessOf(store: DocumentStore, user: User, now = new Date()): Promise<Pick<Principal, 'patients' | 'emergency' | 'kinds'>> {
	if (!isClinician(user)) {
		const patients = new Set(allows(user, 'plan') ? user.patients : []);
		return { patients, emergency: new Map(), ...(allows(user, 'visits') ? {} : { kinds: new Set(['plan'] as const) }) };
	}
	// From indexes: the care teams naming the user (less blocks), and the emergency access they
	// hold; only the summaries of those granted are read. Nothing scales with the register's size.
	const patients = new Set(await store.patientsOf(user.id));
	const grants = new Map<PatientId, string>();
	for (const g of await store.emergencyGrants(user.id, now.toISOString())) {
		if (g.until && !patients.has(g.patientId) && (grants.get(g.patientId) ?? '') < g.until) grants.set(g.patientId, g.until);
	}
	const emergency = new Map<PatientId, string>();
	for (const s of grants.size ? await store.summaries([...grants.keys()]) : []) {
		if (blocks(s, user) || s.restricted) continue;
		patients.add(s.patientId);
		emergency.set(s.patientId, grants.get(s.patientId)!);
	}
	return { patients, emergency };
}

/** The principal of a device saying hello, with the patients its user may see now. */
export async function principalFor(store: DocumentStore, peerId: string, user: User | null, login?: string): Promise<Principal> {
	if (!user) return { peerId, user, patients: 'all', emergency: new Map() };
	return { peerId, user, ...(login ? { login } : {}), ...(await accessOf(store, user)) };
}

/**
 * Whether what a patient's summary now says changes what the principal may see of that patient:
 * they joined or left the care team, were blocked or unblocked, or the plan was restricted
 * while they held emergency access. Cheap: one summary, no store-wide scan.
 */
export function accessChanged(principal: Principal, summary: PatientSummary): boolean {
	const { user, patients } = principal;
	if (!user || patients === 'all' || !isClinician(user)) return false;
	const onTeam = (summary.team ?? []).includes(user.id);
	const viaEmergency = principal.emergency.has(summary.patientId) && !summary.restricted;
	const mayNow = !blocks(summary, user) && (onTeam || viaEmergency);
	return mayNow !== patients.has(summary.patientId) || (onTeam && principal.emergency.has(summary.patientId));
}

/** The earliest time one of the principal's emergency accesses ends, if any. */
export function firstExpiry(principal: Principal): string | null {
	return [...principal.emergency.values()].sort()[0] ?? null;
}

/** Whether the principal may see the patient at `now`: emergency access ends at its time. */
function sees(principal: Principal, patientId: PatientId, now = new Date()): boolean {
	if (principal.patients === 'all') return true;
	if (!principal.patients.has(patientId)) return false;
	const until = principal.emergency.get(patientId);
	return until === undefined || now.toISOString() < until;
}

/**
 * The documents a principal may hold (of the given patients, when named), with their heads: the
 * manifest a device is compared with. Documents it held before and is no longer sent are purged
 * by the device.
 */
export function accessibleDocs(store: DocumentStore, principal: Principal, patientIds?: readonly PatientId[]): Promise<DocHeads[]> {
	const { patients } = principal;
	if (patients === 'all') return store.manifest(patientIds);
	const allowed = (patientIds ?? [...patients]).filter((p) => sees(principal, p));
	if (!allowed.length) return Promise.resolve([]);
	const { kinds } = principal;
	return kinds ? store.manifest(allowed).then((docs) => docs.filter((d) => kinds.has(parseDocumentId(d.docId)?.kind ?? 'plan'))) : store.manifest(allowed);
}

/** The patients whose documents `accessibleDocs` reads for the principal now, in order ('all': every patient). */
export function visiblePatients(principal: Principal): PatientId[] | 'all' {
	if (principal.patients === 'all') return 'all';
	const now = new Date();
	return [...principal.patients].filter((p) => sees(principal, p, now));
}

/** Whether a principal may read (and be sent) one document; agrees with `accessibleDocs`. */
export function mayRead(principal: Principal, ref: DocumentRef): boolean {
	return (!principal.kinds || principal.kinds.has(ref.kind)) && sees(principal, ref.patientId);
}

/**
 * Whether a principal may change (or create) one document at all; what each change touches is
 * checked by the role rules. A clinician may also create the plan of a patient the register has
 * no documents for (the rules then ask for consent and the creator on the care team).
 */
export async function mayChange(store: DocumentStore, principal: Principal, ref: DocumentRef): Promise<boolean> {
	if (mayRead(principal, ref)) return true;
	const { user } = principal;
	return ref.kind === 'plan' && user !== null && isClinician(user) && (await store.manifest([ref.patientId])).length === 0;
}
