import type { DocumentId } from '$lib/domain/ids';
import type { DocHeads } from '$lib/server/store';
import { digestOf, entryValue, headsHash, type ManifestEntry } from '$lib/sync/protocol';

/** Documents whose entries are remembered, at most (about 250 bytes each): beyond it, the oldest go. */
const MAX_ENTRIES = 200_000;

type Entry = { heads: string; entry: ManifestEntry; value: bigint };

/**
 * The manifest entries of documents (the hash of their heads, and its share of the digest),
 * remembered by heads for every session of a hub: a device's hello with nothing changed then
 * costs a look-up and an addition per document, not two SHA-256s (hashing was most of a hello's
 * time: 20–60 ms of 1,000 plans on this machine, against 3–10 ms to read their heads). A
 * document's entry is recomputed whenever its stored heads differ from those remembered.
 */
export class ManifestDigests {
	readonly #entries = new Map<DocumentId, Entry>();

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
