import { describe, expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { DocHeads } from '$lib/server/store';
import { headsHash, manifestDigest } from '$lib/sync/protocol';
import type { Principal } from './access';
import { ManifestDigests } from './manifest-digests';

const doc = (i: number, heads: string[]): DocHeads => {
	const patientId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` as PatientId;
	return { docId: planDocId(patientId), patientId, heads };
};
const expected = (docs: DocHeads[]) => manifestDigest(docs.map((d) => [d.docId, headsHash(d.heads)]));

describe('ManifestDigests', () => {
	it('gives the manifest and digest a device computes, and follows a document whose heads moved', () => {
		const digests = new ManifestDigests();
		const docs = [doc(1, ['a1']), doc(2, ['b1', 'b2']), doc(3, [])];
		expect(digests.of(docs)).toEqual({ manifest: docs.map((d) => [d.docId, headsHash(d.heads)]), digest: expected(docs) });
		const moved = [docs[0]!, doc(2, ['b3']), docs[2]!];
		expect(digests.of(moved).digest).toBe(expected(moved));
		expect(digests.of(moved).digest).not.toBe(expected(docs));
		// A principal who sees fewer documents gets the digest of those alone.
		expect(digests.of([docs[0]!]).digest).toBe(expected([docs[0]!]));
		expect(digests.of([]).digest).toBe(manifestDigest([]));
	});
});

describe('ManifestDigests.visible', () => {
	const nurse = { peerId: 'tablet', user: { id: 'u-nurse' }, emergency: new Map() } as unknown as Principal;
	const seeing = (docs: DocHeads[]): Principal => ({ ...nurse, patients: new Set(docs.map((d) => d.patientId)) });
	const docs = [doc(1, ['a1']), doc(2, ['b1'])];

	it('reads again only after a document of one of the patients was committed, or when the patients differ', async () => {
		const digests = new ManifestDigests();
		let reads = 0;
		const read = (of: DocHeads[]) => async () => (reads++, of);
		expect((await digests.visible(seeing(docs), read(docs))).digest).toBe(expected(docs));
		await digests.visible(seeing(docs), read(docs));
		expect(reads).toBe(1);
		// Another patient's document: the answer stands.
		digests.committed(doc(3, ['c1']).docId);
		await digests.visible(seeing(docs), read(docs));
		expect(reads).toBe(1);
		// One of hers: read again, and the new heads are told.
		digests.committed(docs[1]!.docId);
		const moved = [docs[0]!, doc(2, ['b2'])];
		expect((await digests.visible(seeing(docs), read(moved))).digest).toBe(expected(moved));
		expect(reads).toBe(2);
		// Fewer patients (she left a care team): read for those.
		expect((await digests.visible(seeing([docs[0]!]), read([docs[0]!]))).digest).toBe(expected([docs[0]!]));
		expect(reads).toBe(3);
	});

	it('does not remember a read that a commit overtook', async () => {
		const digests = new ManifestDigests();
		let reads = 0;
		await digests.visible(seeing(docs), async () => {
			reads++;
			// Committed while the rows were being read: they may be the older ones.
			digests.committed(docs[0]!.docId);
			return docs;
		});
		await digests.visible(seeing(docs), async () => (reads++, docs));
		expect(reads).toBe(2);
	});
});
