import type { DocumentId, PatientId } from '$lib/domain/ids';
import type { AuditEntry, AuditQuery, DocWrite, ProvenanceRecord, StoredChunk, StoredSession } from './types';

const KINDS: ReadonlySet<unknown> = new Set(['snapshot', 'incremental']);

function checkText(value: unknown, what: string): void {
	if (typeof value !== 'string' || value.length === 0) {
		throw new TypeError(`${what} must be a non-empty string, got ${describe(value)}`);
	}
}

function checkBytes(value: unknown, what: string): void {
	if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array, got ${describe(value)}`);
}

function checkTextList(value: unknown, what: string): void {
	if (!Array.isArray(value)) throw new TypeError(`${what} must be an array, got ${describe(value)}`);
	value.forEach((item, i) => checkText(item, `${what}[${i}]`));
}

function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	return typeof value === 'object' ? (value.constructor?.name ?? 'an object') : typeof value;
}

const ACTIONS: ReadonlySet<unknown> = new Set(['read', 'change', 'refused', 'emergency-access', 'emergency-denied']);
const BASES: ReadonlySet<unknown> = new Set(['care-team', 'patient', 'proxy', 'emergency', 'api', 'unauthenticated']);

/** Throws a TypeError unless every access log line has the declared shape. */
export function checkAudit(entries: readonly AuditEntry[]): void {
	if (!Array.isArray(entries)) throw new TypeError(`audit entries must be an array, got ${describe(entries)}`);
	entries.forEach((e, i) => {
		checkText(e.at, `audit[${i}].at`);
		if (Number.isNaN(Date.parse(e.at))) throw new TypeError(`audit[${i}].at must be a time`);
		checkText(e.patientId, `audit[${i}].patientId`);
		checkText(e.docId, `audit[${i}].docId`);
		if (!ACTIONS.has(e.action)) throw new TypeError(`audit[${i}].action is not an action`);
		if (!BASES.has(e.basis)) throw new TypeError(`audit[${i}].basis is not an access basis`);
		checkText(e.who?.name, `audit[${i}].who.name`);
		checkText(e.who?.role, `audit[${i}].who.role`);
		if (typeof e.reportedLater !== 'boolean' || typeof e.detail !== 'string') throw new TypeError(`audit[${i}] is malformed`);
		if (e.action === 'emergency-access' && (typeof e.until !== 'string' || Number.isNaN(Date.parse(e.until)) || !e.who.id)) {
			throw new TypeError(`audit[${i}]: emergency access needs the user's id and when it ends (until)`);
		}
	});
}

/** An access-log page cursor: the `at` and sequence number of the last line of the page before. */
export type AuditCursor = { at: string; seq: number };

/** The cursor that continues after the line stored as `seq` at `at`. */
export function auditCursor(at: string, seq: number): string {
	return `${new Date(at).toISOString()}~${seq}`;
}

/** Throws a TypeError unless the access-log query is well formed; returns its cursor, parsed. */
export function checkAuditQuery(patientId: PatientId, query: AuditQuery): AuditCursor | null {
	checkPatientIds([patientId]);
	if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 1000) throw new TypeError('limit must be a whole number from 1 to 1000');
	if (query.actions !== undefined && (!Array.isArray(query.actions) || !query.actions.every((a) => ACTIONS.has(a)))) throw new TypeError('actions must be access log actions');
	if (query.before === undefined || query.before === null) return null;
	const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)~(\d{1,15})$/.exec(String(query.before));
	const [, at, seq] = match ?? [];
	if (!at || !seq || Number.isNaN(Date.parse(at))) throw new TypeError('before is not an access log cursor');
	return { at, seq: Number(seq) };
}

/** Throws a TypeError unless `key` is a session key: a SHA-256 in lowercase hex. */
export function checkSessionKey(key: string): void {
	if (typeof key !== 'string' || !/^[0-9a-f]{64}$/.test(key)) throw new TypeError('a session key is a SHA-256 in hex');
}

/** Throws a TypeError unless the login to store has the declared shape. */
export function checkSession(session: StoredSession): void {
	checkSessionKey(session.key);
	checkText(session.userId, 'session.userId');
	if (!session.claims || typeof session.claims !== 'object' || Array.isArray(session.claims)) throw new TypeError('session.claims must be an object');
	for (const [what, at] of [['createdAt', session.createdAt], ['expiresAt', session.expiresAt]] as const) {
		if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new TypeError(`session.${what} must be a time`);
	}
	if (session.endedAt !== null) throw new TypeError('a new session has not ended');
}

/** Throws a TypeError unless a query for a user's emergency access names a user and a time. */
export function checkGrantQuery(userId: string, now: string): void {
	checkText(userId, 'userId');
	checkText(now, 'now');
	if (Number.isNaN(Date.parse(now))) throw new TypeError('now must be a time');
}

/** Throws a TypeError unless the commit's arguments have the declared shapes (they may come from a socket). */
/** Checks a list of document ids to read views of. */
export function checkDocIds(docIds: readonly DocumentId[]): void {
	checkTextList(docIds, 'docIds');
}

export function checkCommit(docId: DocumentId, patientId: PatientId, write: DocWrite): void {
	checkText(docId, 'docId');
	checkText(patientId, 'patientId');
	if (typeof write !== 'object' || write === null) throw new TypeError(`write must be an object, got ${describe(write)}`);
	if (!Array.isArray(write.add)) throw new TypeError(`write.add must be an array, got ${describe(write.add)}`);
	write.add.forEach((chunk: StoredChunk, i) => {
		if (typeof chunk !== 'object' || chunk === null) throw new TypeError(`write.add[${i}] must be a chunk, got ${describe(chunk)}`);
		checkText(chunk.key, `write.add[${i}].key`);
		if (!KINDS.has(chunk.kind)) throw new TypeError(`write.add[${i}].kind must be 'snapshot' or 'incremental', got ${String(chunk.kind)}`);
		checkBytes(chunk.bytes, `write.add[${i}].bytes`);
	});
	checkTextList(write.remove, 'write.remove');
	checkTextList(write.heads, 'write.heads');
	if (write.base !== undefined) checkTextList(write.base, 'write.base');
	if (write.audit !== undefined) {
		checkAudit(write.audit);
		if (write.audit.some((e) => e.patientId !== patientId || e.docId !== docId)) throw new TypeError(`write.audit must be about ${docId} of ${patientId}`);
	}
	if (write.provenance !== undefined) checkProvenance(write.provenance, docId, patientId);
	if (write.view !== undefined && write.view !== null) {
		checkTextList(write.view.heads, 'write.view.heads');
		checkBytes(write.view.bytes, 'write.view.bytes');
	}
	const { summary } = write;
	if (summary === undefined) return;
	if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) {
		throw new TypeError(`write.summary must be an object, got ${describe(summary)}`);
	}
	if (summary.patientId !== patientId) throw new TypeError(`write.summary is for another patient than ${patientId}`);
	// The need-to-know index is built from these: a malformed one must not reach it.
	if (summary.team !== undefined) checkTextList(summary.team, 'write.summary.team');
	if (summary.blocked !== undefined) checkTextList(summary.blocked, 'write.summary.blocked');
	if (summary.nationalId !== undefined && typeof summary.nationalId !== 'string') throw new TypeError('write.summary.nationalId must be a string');
}

const HASH = /^[0-9a-f]{64}$/;

/** Throws a TypeError unless the provenance record has the declared shape and is about this document. */
export function checkProvenance(record: ProvenanceRecord, docId: DocumentId, patientId: PatientId): void {
	if (typeof record !== 'object' || record === null) throw new TypeError(`write.provenance must be an object, got ${describe(record)}`);
	if (record.docId !== docId || record.patientId !== patientId) throw new TypeError(`write.provenance must be about ${docId} of ${patientId}`);
	if (typeof record.at !== 'string' || Number.isNaN(Date.parse(record.at))) throw new TypeError('write.provenance.at must be a time');
	checkText(record.who?.name, 'write.provenance.who.name');
	checkText(record.who?.role, 'write.provenance.who.role');
	for (const field of ['id', 'organisation', 'hpr'] as const) {
		const value = record.who[field];
		if (value !== null && typeof value !== 'string') throw new TypeError(`write.provenance.who.${field} must be a string or null`);
	}
	if (!BASES.has(record.basis)) throw new TypeError('write.provenance.basis is not an access basis');
	checkText(record.session, 'write.provenance.session');
	checkText(record.peerId, 'write.provenance.peerId');
	if (!Array.isArray(record.changes) || !record.changes.length || !record.changes.every((h) => typeof h === 'string' && HASH.test(h))) {
		throw new TypeError('write.provenance.changes must list the hashes of the changes added');
	}
}

/** Throws a TypeError unless a lookup key (a user id, a national ID) is a non-empty string. */
export function checkLookup(value: string, what: string): void {
	checkText(value, what);
}

/** Throws a TypeError unless a document's provenance is asked for with a document id and a sane limit. */
export function checkProvenanceQuery(docId: DocumentId, limit: number): void {
	checkText(docId, 'docId');
	if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new TypeError('limit must be a whole number from 1 to 10000');
}

/** Throws a TypeError unless `docId` is a non-empty string. */
export function checkDocId(docId: DocumentId): void {
	checkText(docId, 'docId');
}

/** Throws a TypeError unless a sync state's key and bytes have the declared shapes. */
export function checkSyncState(peerId: string, docId: DocumentId, state?: Uint8Array): void {
	checkText(peerId, 'peerId');
	checkText(docId, 'docId');
	if (state !== undefined) checkBytes(state, 'state');
}

/** Throws a TypeError unless `patientIds` is absent or a list of strings. */
export function checkPatientIds(patientIds: readonly PatientId[] | undefined): void {
	if (patientIds !== undefined) checkTextList(patientIds, 'patientIds');
}

/** True when two head lists name the same hashes, in any order. */
export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
	if (a.length !== b.length) return false;
	const set = new Set(a);
	return b.every((h) => set.has(h));
}

/** A driver's Buffer over the same memory, without copying (the drivers bind Buffers). */
export function toBuffer(bytes: Uint8Array): Buffer {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A plain Uint8Array copy of a driver's Buffer, which may be a view into a shared pool. */
export function fromBuffer(buffer: Uint8Array): Uint8Array {
	return new Uint8Array(buffer);
}

/** Calls each listener, so that one that throws neither stops the others nor fails a commit that succeeded. */
export function notify(listeners: ReadonlySet<(docId: DocumentId) => void>, docId: DocumentId): void {
	for (const listener of [...listeners]) {
		if (!listeners.has(listener)) continue;
		try {
			listener(docId);
		} catch (error) {
			console.error(`document store: a subscriber failed on ${docId}`, error);
		}
	}
}
