/**
 * Hostile changes for the tests of bounded work, built the way an attacker would: straight in
 * Automerge's binary format, in milliseconds, where building them through Automerge's own API
 * takes the attacker's machine minutes (it is as quadratic as the register's side).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as Automerge from '@automerge/automerge';

const uleb = (n: number): number[] => {
	const out: number[] = [];
	do {
		let byte = n % 128;
		n = Math.floor(n / 128);
		if (n > 0) byte |= 0x80;
		out.push(byte);
	} while (n > 0);
	return out;
};

const sleb = (n: number): number[] => {
	const out: number[] = [];
	for (;;) {
		const byte = ((n % 128) + 128) % 128;
		n = Math.floor(n / 128);
		const done = (n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40);
		out.push(done ? byte : byte | 0x80);
		if (done) return out;
	}
};

/** A change chunk from its body: magic, checksum and type before it, the hash it is known by. */
function chunkOf(body: Uint8Array): { chunk: Uint8Array; hash: string } {
	const hashed = Buffer.concat([Uint8Array.of(1), Uint8Array.from(uleb(body.length)), body]);
	const hash = createHash('sha256').update(hashed).digest();
	return { chunk: Buffer.concat([Uint8Array.of(0x85, 0x6f, 0x4a, 0x83), hash.subarray(0, 4), hashed]), hash: hash.toString('hex') };
}

/**
 * One change inserting `n` characters into a new text at the root key `key`: n + 1 operations in
 * about n bytes (the characters themselves; every other column is one run).
 */
export function hugeTextChange(deps: readonly string[], n: number, key = 'x'): { chunk: Uint8Array; hash: string } {
	const startOp = 1_000_000_000;
	const columns: [spec: number, bytes: number[] | Uint8Array][] = [
		[1, [0, ...uleb(1), ...sleb(n), 0]], // objActor: root, then the text
		[2, [0, ...uleb(1), ...sleb(n), ...uleb(startOp)]], // objCtr
		[17, [0, ...uleb(2), ...sleb(n - 1), 0]], // keyActor: a map key, the head, then the author
		[19, [0, ...uleb(1), ...sleb(-2), ...sleb(0), ...sleb(startOp + 1), ...sleb(n - 2), ...sleb(1)]], // keyCtr deltas
		[21, [...sleb(1), ...uleb(key.length), ...Buffer.from(key), 0, ...uleb(n)]], // keyStr
		[52, [...uleb(1), ...uleb(n)]], // insert: one false, then n true
		[66, [...sleb(1), 4, ...sleb(n), 1]], // action: makeText, then n sets
		[86, [...sleb(1), 0, ...sleb(n), (1 << 4) | 6]], // value: none, then n one-byte strings
		[87, new Uint8Array(n).fill(0x78)],
		[112, [...sleb(n + 1), 0]] // no predecessors
	];
	const header = [...uleb(deps.length), ...deps.flatMap((d) => [...Buffer.from(d, 'hex')]), ...uleb(16), ...randomBytes(16), 1, ...uleb(startOp), 0, 0, 0];
	const table = [...uleb(columns.length), ...columns.flatMap(([spec, bytes]) => [...uleb(spec), ...uleb(bytes.length)])];
	return chunkOf(Buffer.concat([Uint8Array.from(header), Uint8Array.from(table), ...columns.map(([, bytes]) => Uint8Array.from(bytes))]));
}

/** One change making `depth` maps, each inside the last, at the root key `key`. */
export function deepChange(deps: readonly string[], depth: number, key = 'x'): { chunk: Uint8Array; hash: string } {
	const actor = randomBytes(16).toString('hex');
	const ops: Automerge.DecodedChange['ops'] = [{ action: 'makeMap', obj: '_root', key, pred: [] }];
	for (let i = 1; i < depth; i++) ops.push({ action: 'makeMap', obj: `${i}@${actor}`, key: 'a', pred: [] });
	// encodeChange computes the hash itself; the type asks for one anyway.
	const chunk = Automerge.encodeChange({ actor, seq: 1, startOp: 1, time: 0, message: null, deps: [...deps], ops } as unknown as Automerge.DecodedChange);
	return { chunk, hash: Automerge.decodeChange(chunk).hash };
}

/** A sync message carrying `change` on top of `heads` (the register's, as the device last heard them). */
export function syncMessageWith(heads: readonly string[], change: { chunk: Uint8Array; hash: string }): Uint8Array {
	return Automerge.encodeSyncMessage({ heads: [change.hash], need: [], have: [{ lastSync: [...heads], bloom: new Uint8Array() }], changes: [change.chunk] });
}
