// What one device's sync message may ask of the register, read from the bytes of its changes
// without Automerge: Automerge's own decoding (`decodeChange`, 6-10 µs an operation) and applying
// (`receiveSyncMessage`: about 3 µs an operation, and quadratic in the nesting depth of new
// objects, since every patch carries its whole path) are the costs being bounded. Plain JS with
// JSDoc types and no imports but Node's, so the sync worker (change-check.worker.js) runs it in
// the built server as it is. The binary layout is Automerge's (automerge.org/docs/reference/
// under-the-hood/storage): chunks of columns, run-length, delta and boolean encoded.
import { inflateRawSync } from 'node:zlib';

/**
 * The limits, with what they were measured against (docs/architecture.md, "Bounded work"). The
 * longest plan a device pushes whole (the fixtures' 1,500-edit, two-year history) holds 276,597
 * operations (every whole-text edit inserts each character), 0.2 MB as a document, 0.9 MB as
 * changes, nesting 7 (root to a text's characters); its longest text 126 characters.
 */
export const CHANGE_LIMITS = Object.freeze({
	/** Bytes of one document's sync message. */
	bytes: 4 * 1024 * 1024,
	/** Operations in one document's sync message, all its changes together. */
	ops: 500_000,
	/**
	 * Operations in one change: what the register applies in one go, between turns of its event
	 * loop (~30-150 ms at this size on a loaded 2-core machine). The fixture plan's largest change holds 4,645.
	 */
	change: 10_000,
	/** Objects inside objects that the message creates, counted from the object it starts in. */
	depth: 16,
	/** Elements one message inserts into one text or list. */
	sequence: 20_000,
	/** UTF-8 bytes of one string value. */
	string: 20_000
});

/** @typedef {{ bytes: number; ops: number; change: number; depth: number; sequence: number; string: number }} ChangeLimits */
/** @typedef {'bytes' | 'ops' | 'depth' | 'sequence' | 'string' | 'undecodable'} Excess */
/** @typedef {{ ok: true; ops: number; sizes: number[] } | { ok: false; excess: Excess; detail: string }} LimitCheck */

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT = 0;
const CHANGE = 1;
const DEFLATED_CHANGE = 2;
const DEFLATED_COLUMN = 8;
/** Column specs (id << 4 | type, without the deflate bit) of the columns read. */
const COLUMN = { objActor: 1, objCtr: 2, idActor: 33, idCtr: 35, insert: 52, action: 66, valueMeta: 86 };
/** Actions that make an object: makeMap, makeList, makeText, makeTable. */
const MAKES = new Set([0, 2, 4, 6]);
const STRING_VALUE = 6;

/** Whether a chunk is a whole document (not a change): the register cannot apply it in parts. */
export const isDocumentChunk = (/** @type {Uint8Array} */ chunk) => chunk[8] === DOCUMENT;

class Undecodable extends Error {}

/** A cursor over bytes reading Automerge's LEB128 numbers. */
class Reader {
	/** @param {Uint8Array} bytes */
	constructor(bytes) {
		this.bytes = bytes;
		this.at = 0;
	}
	get done() {
		return this.at >= this.bytes.length;
	}
	/** @returns {number} */
	uint() {
		let result = 0;
		for (let shift = 1; ; shift *= 128) {
			const byte = this.bytes[this.at++];
			if (byte === undefined || shift > 2 ** 49) throw new Undecodable('bad number');
			result += (byte & 0x7f) * shift;
			if (!(byte & 0x80)) return result;
		}
	}
	/** @returns {number} */
	int() {
		let result = 0;
		let shift = 1;
		for (;;) {
			const byte = this.bytes[this.at++];
			if (byte === undefined || shift > 2 ** 49) throw new Undecodable('bad number');
			result += (byte & 0x7f) * shift;
			shift *= 128;
			if (!(byte & 0x80)) return byte & 0x40 ? result - shift : result;
		}
	}
	/** @param {number} length */
	take(length) {
		if (length > this.bytes.length - this.at) throw new Undecodable('truncated');
		const out = this.bytes.subarray(this.at, this.at + length);
		this.at += length;
		return out;
	}
}

/** Stands for an absent value in a decoded column. */
const NONE = -1;

/**
 * How many rows a run-length encoded column holds, without decoding its values.
 * @param {Uint8Array} bytes
 */
function rowsOf(bytes) {
	const r = new Reader(bytes);
	let rows = 0;
	while (!r.done) {
		const count = r.int();
		if (count > 0) r.uint(), (rows += count);
		else if (count < 0) for (let i = 0; i < -count; i++) r.uint(), rows++;
		else rows += r.uint();
	}
	return rows;
}

/**
 * The first `rows` values of a run-length encoded column of unsigned numbers (`NONE` for absent
 * ones); `delta` for a column of differences, summed.
 * @param {Uint8Array | undefined} bytes
 * @param {number} rows
 * @param {boolean} [delta]
 */
function numbers(bytes, rows, delta = false) {
	const out = new Float64Array(rows).fill(NONE);
	if (!bytes) return out;
	const r = new Reader(bytes);
	let sum = 0;
	for (let row = 0; row < rows && !r.done; ) {
		const count = r.int();
		if (count > 0) {
			const v = delta ? r.int() : r.uint();
			const end = Math.min(rows, row + count);
			if (!delta) out.fill(v, row, end);
			else for (let i = row; i < end; i++) out[i] = sum += v;
			row += count;
		} else if (count < 0) {
			for (let i = 0; i < -count && row < rows; i++) out[row++] = delta ? (sum += r.int()) : r.uint();
		} else row += r.uint();
	}
	return out;
}

/**
 * The first `rows` values of a boolean column (alternating run lengths, false first).
 * @param {Uint8Array | undefined} bytes
 * @param {number} rows
 */
function booleans(bytes, rows) {
	const out = new Uint8Array(rows);
	if (!bytes) return out;
	const r = new Reader(bytes);
	for (let value = 0, row = 0; row < rows && !r.done; value ^= 1) {
		const count = r.uint();
		if (value) out.fill(1, row, Math.min(rows, row + count));
		row += count;
	}
	return out;
}

/** @param {Reader} r @returns {string} */
const actorOf = (r) => Buffer.from(r.take(r.uint())).toString('hex');

/**
 * A column table: each column's spec and length, in order.
 * @param {Reader} r
 * @returns {[spec: number, length: number][]}
 */
function tableOf(r) {
	/** @type {[number, number][]} */
	const specs = [];
	for (let n = r.uint(); n > 0; n--) specs.push([r.uint(), r.uint()]);
	return specs;
}

/**
 * Cuts the columns of `specs` from `r`, inflated where deflated.
 * @param {Reader} r
 * @param {[spec: number, length: number][]} specs
 * @returns {Map<number, Uint8Array>}
 */
function columnsOf(r, specs) {
	/** @type {Map<number, Uint8Array>} */
	const columns = new Map();
	for (const [spec, length] of specs) {
		const bytes = r.take(length);
		columns.set(spec & ~DEFLATED_COLUMN, spec & DEFLATED_COLUMN ? inflate(bytes) : bytes);
	}
	return columns;
}

/** Inflates a deflated column or change, no larger than a message may be. @param {Uint8Array} bytes */
function inflate(bytes) {
	try {
		return new Uint8Array(inflateRawSync(bytes, { maxOutputLength: 64 * 1024 * 1024 }));
	} catch {
		throw new Undecodable('bad deflate');
	}
}

/**
 * One chunk's operations, as the columns the check reads, its actors, and each row's own id
 * (a change's follow from its first; a document names them in columns of their own).
 * @typedef {{ columns: Map<number, Uint8Array>; actors: string[]; ids: (rows: number) => { actors: Float64Array; counters: Float64Array } }} Ops
 */

/** @param {Uint8Array} body a change chunk's contents @returns {Ops} */
function changeOps(body) {
	const r = new Reader(body);
	for (let deps = r.uint(); deps > 0; deps--) r.take(32);
	const author = actorOf(r);
	r.uint();
	const startOp = r.uint();
	r.int();
	r.take(r.uint());
	const actors = [author];
	for (let n = r.uint(); n > 0; n--) actors.push(actorOf(r));
	const ids = (/** @type {number} */ rows) => {
		const counters = new Float64Array(rows);
		for (let i = 0; i < rows; i++) counters[i] = startOp + i;
		return { actors: new Float64Array(rows), counters };
	};
	return { columns: columnsOf(r, tableOf(r)), actors, ids };
}

/** @param {Uint8Array} body a document chunk's contents @returns {Ops} */
function documentOps(body) {
	const r = new Reader(body);
	/** @type {string[]} */
	const actors = [];
	for (let n = r.uint(); n > 0; n--) actors.push(actorOf(r));
	for (let heads = r.uint(); heads > 0; heads--) r.take(32);
	const changeColumns = tableOf(r);
	const opColumns = tableOf(r);
	columnsOf(r, changeColumns);
	const columns = columnsOf(r, opColumns);
	const ids = (/** @type {number} */ rows) => ({ actors: numbers(columns.get(COLUMN.idActor), rows), counters: numbers(columns.get(COLUMN.idCtr), rows, true) });
	return { columns, actors, ids };
}

/** @param {Uint8Array} chunk @returns {Ops} */
function opsOf(chunk) {
	const r = new Reader(chunk);
	if (MAGIC.some((byte) => r.take(1)[0] !== byte)) throw new Undecodable('not an Automerge chunk');
	r.take(4);
	const type = r.take(1)[0];
	const body = r.take(r.uint());
	if (type === CHANGE) return changeOps(body);
	if (type === DEFLATED_CHANGE) return changeOps(inflate(body));
	if (type === DOCUMENT) return documentOps(body);
	throw new Undecodable(`chunk type ${type}`);
}

/**
 * Checks the changes one document's sync message carries (Automerge's `decodeSyncMessage(...)
 * .changes`: change chunks, or a whole document) against `limits`: first the operations counted
 * from one column alone, so a message of millions is refused at once, then the nesting depth of
 * the objects it makes, the elements it inserts into each text or list and each string's length.
 * @param {readonly Uint8Array[]} chunks
 * @param {ChangeLimits} [limits]
 * @returns {LimitCheck}
 */
export function checkChanges(chunks, limits = CHANGE_LIMITS) {
	try {
		const parsed = chunks.map(opsOf);
		const sizes = parsed.map((p) => rowsOf(p.columns.get(COLUMN.action) ?? new Uint8Array()));
		const ops = sizes.reduce((n, size) => n + size, 0);
		if (ops > limits.ops) return { ok: false, excess: 'ops', detail: `${ops} operations, at most ${limits.ops}` };
		const largest = sizes.findIndex((size, i) => size > limits.change && !isDocumentChunk(/** @type {Uint8Array} */ (chunks[i])));
		if (largest >= 0) return { ok: false, excess: 'ops', detail: `${sizes[largest]} operations in one change, at most ${limits.change}` };
		const seen = { actors: new Map(), parents: new Map(), inserted: new Map() };
		for (const p of parsed) {
			const excess = readOps(p, seen, limits);
			if (excess) return excess;
		}
		if (deepest(seen.parents, limits.depth) > limits.depth) return { ok: false, excess: 'depth', detail: `objects nested more than ${limits.depth} deep` };
		return { ok: true, ops, sizes };
	} catch (error) {
		return { ok: false, excess: 'undecodable', detail: error instanceof Error ? error.message : 'undecodable' };
	}
}

/**
 * What the chunks of one message made and inserted so far, objects named by a number (actor
 * index × 2³² + counter; the root is NONE): each object made → the object it was made in, and
 * elements inserted per object.
 * @typedef {{ actors: Map<string, number>; parents: Map<number, number>; inserted: Map<number, number> }} Seen
 */

/**
 * Walks one chunk's rows, recording what they make and insert; returns the first excess found.
 * @param {Ops} p
 * @param {Seen} seen
 * @param {ChangeLimits} limits
 * @returns {LimitCheck | null}
 */
function readOps({ columns, actors, ids }, seen, limits) {
	const rows = rowsOf(columns.get(COLUMN.action) ?? new Uint8Array());
	const global = actors.map((hex) => seen.actors.get(hex) ?? seen.actors.set(hex, seen.actors.size).size - 1);
	/** @param {number} actor @param {number} counter */
	const name = (actor, counter) => (actor === NONE || counter === NONE ? NONE : (global[actor] ?? actors.length) * 2 ** 32 + counter);
	const action = numbers(columns.get(COLUMN.action), rows);
	const objActor = numbers(columns.get(COLUMN.objActor), rows);
	const objCtr = numbers(columns.get(COLUMN.objCtr), rows);
	const insert = booleans(columns.get(COLUMN.insert), rows);
	const meta = numbers(columns.get(COLUMN.valueMeta), rows);
	const id = ids(rows);
	for (let row = 0; row < rows; row++) {
		const value = /** @type {number} */ (meta[row]);
		if (value % 16 === STRING_VALUE && Math.floor(value / 16) > limits.string) return { ok: false, excess: 'string', detail: `a text of ${Math.floor(value / 16)} bytes, at most ${limits.string}` };
		const made = MAKES.has(/** @type {number} */ (action[row]));
		if (!made && !insert[row]) continue;
		const obj = name(/** @type {number} */ (objActor[row]), /** @type {number} */ (objCtr[row]));
		if (made) seen.parents.set(name(/** @type {number} */ (id.actors[row]), /** @type {number} */ (id.counters[row])), obj);
		if (insert[row]) {
			const count = (seen.inserted.get(obj) ?? 0) + 1;
			if (count > limits.sequence) return { ok: false, excess: 'sequence', detail: `more than ${limits.sequence} elements inserted into one text or list` };
			seen.inserted.set(obj, count);
		}
	}
	return null;
}

/**
 * The deepest chain of made objects inside each other, stopping once past `limit` (a chain that
 * loops counts as past it).
 * @param {Map<number, number>} parents
 * @param {number} limit
 */
function deepest(parents, limit) {
	/** @type {Map<number, number>} */
	const depths = new Map();
	let max = 0;
	for (const start of parents.keys()) {
		/** @type {number[]} */
		const chain = [];
		let id = /** @type {number | undefined} */ (start);
		let base = 0;
		while (id !== undefined && parents.has(id)) {
			const known = depths.get(id);
			if (known !== undefined) {
				base = known;
				break;
			}
			chain.push(id);
			if (chain.length > limit) return limit + 1;
			id = parents.get(id);
		}
		for (let i = chain.length - 1; i >= 0; i--) depths.set(/** @type {number} */ (chain[i]), ++base);
		max = Math.max(max, base);
		if (max > limit) return max;
	}
	return max;
}
