import { parseDocumentId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { DocHeads } from '$lib/server/store';
import { digestOf, entryValue, headsHash, type ManifestEntry } from '$lib/sync/protocol';
import { visiblePatients, type Principal } from './access';

/** Documents whose entries are remembered, at most (about 250 bytes each): beyond it, the oldest go. */
const MAX_ENTRIES = 200_000;

type Entry = { heads: string; entry: ManifestEntry; value: bigint };
/** The documents a principal may see now, their manifest and its digest: what a hello is answered from. */
export type Visible = { docs: readonly DocHeads[]; manifest: ManifestEntry[]; digest: string };
/** A user's `Visible`, and the patients it was read for. */
type Remembered = Visible & { patients: readonly PatientId[] | 'all'; of: ReadonlySet<PatientId> | 'all' };

const samePatients = (a: readonly PatientId[] | 'all', b: readonly PatientId[] | 'all'): boolean =>
	a === 'all' || b === 'all' ? a === b : a.length === b.length && a.every((p, i) => p === b[i]);

/**
 * The manifest entries of documents (the hash of their heads, and its share of the digest),
 * remembered by heads for every session of a hub: a device's hello with nothing changed then
 * costs a look-up and an addition per document, not two SHA-256s (hashing was most of a hello's
 * time: 20–60 ms of 1,000 plans on this machine, against 3–10 ms to read their heads). A
 * document's entry is recomputed whenever its stored heads differ from those remembered.
 */
export class ManifestDigests {
	readonly #entries = new Map<DocumentId, Entry>();
	/** Per user (and the kinds they may hold), what their last hello was answered from; oldest first. */
	readonly #visible = new Map<string, Remembered>();
	/** Documents in `#visible`, all users together: bounded by MAX_ENTRIES as `#entries` is. */
	#remembered = 0;
	/** Commits heard of: a read begun before one is not remembered. */
	#commits = 0;

	/**
	 * The documents `principal` may see, with their manifest and digest: `read` gives the
	 * documents (the store's rows), and is called only when no answer is remembered for this user
	 * seeing these very patients since a document of one of them was last committed. A reconnect
	 * with nothing changed then reads no document row: at 10,000 plans that read was 20–25 ms of a
	 * 30 ms hello. A commit is heard of in this process at once (`committed`) and from other
	 * processes when the store reports it; one not yet heard of reaches the device as any change
	 * made after its hello does, pushed to its session.
	 */
	async visible(principal: Principal, read: () => Promise<DocHeads[]>): Promise<Visible> {
		const key = `${principal.user?.id ?? ''}|${principal.kinds ? [...principal.kinds].sort().join(',') : '*'}`;
		const patients = visiblePatients(principal);
		const known = this.#visible.get(key);
		if (known && samePatients(known.patients, patients)) {
			this.#visible.delete(key);
			this.#visible.set(key, known);
			return known;
		}
		const commits = this.#commits;
		const docs = await read();
		const visible = { docs, ...this.of(docs) };
		if (commits === this.#commits) this.#remember(key, { ...visible, patients, of: patients === 'all' ? 'all' : new Set(patients) });
		return visible;
	}

	/** A document was committed: no answer that lists its patient is given again. */
	committed(docId: DocumentId): void {
		this.#commits++;
		const patientId = parseDocumentId(docId)?.patientId;
		for (const [key, known] of this.#visible) {
			if (known.of === 'all' || patientId === undefined || known.of.has(patientId)) this.#forget(key, known);
		}
	}

	#remember(key: string, known: Remembered): void {
		const before = this.#visible.get(key);
		if (before) this.#forget(key, before);
		if (known.docs.length > MAX_ENTRIES) return;
		this.#visible.set(key, known);
		this.#remembered += known.docs.length;
		for (const [oldest, entry] of this.#visible) {
			if (this.#remembered <= MAX_ENTRIES) break;
			this.#forget(oldest, entry);
		}
	}

	#forget(key: string, known: Remembered): void {
		this.#visible.delete(key);
		this.#remembered -= known.docs.length;
	}

	/** The manifest of `docs` and its digest (`manifestDigest` of it). */
	of(docs: readonly DocHeads[]): { manifest: ManifestEntry[]; digest: string } {
		let sum = 0n;
		const manifest: ManifestEntry[] = [];
		for (const d of docs) {
			const heads = d.heads.join(',');
			let known = this.#entries.get(d.docId);
			if (known?.heads !== heads) {
				const entry: ManifestEntry = [d.docId, headsHash(d.heads)];
				known = { heads, entry, value: entryValue(entry) };
				this.#entries.delete(d.docId);
				this.#entries.set(d.docId, known);
				if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value as DocumentId);
			}
			sum += known.value;
			manifest.push(known.entry);
		}
		return { manifest, digest: digestOf(sum) };
	}
}
