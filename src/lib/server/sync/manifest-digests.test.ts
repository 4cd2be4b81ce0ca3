import { describe, expect, it } from 'vitest';
import { planDocId, type PatientId } from '$lib/domain/ids';
import type { DocHeads } from '$lib/server/store';
import { headsHash, manifestDigest } from '$lib/sync/protocol';
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
