/**
 * The sync protocol between a device and the register: binary WebSocket frames, each one CBOR
 * message, checked before use on both sides. One socket per device carries every document.
 *
 * Flow (round trips counted from the device):
 * 1. Device → `hello` with a digest of its manifest (document id → heads hash), followed at
 *    once (handled after it, in order) by `opened` and the `sync` messages of its documents
 *    holding unsent changes (step 3 starts with the hello, not a round trip later).
 *    Server → `welcome`: `upToDate` when the digests match (nothing changed: one round trip);
 *    otherwise the server's manifest of the documents this device may hold. A device that said
 *    `empty` then receives `snapshots` of everything without asking: compacted bytes and the
 *    patients' list summaries, stored without parsing.
 * 2. The device compares manifests: documents it lacks → `fetch` (answered by `snapshots`);
 *    documents whose heads differ, or that only it holds and has not sent → `sync`, one
 *    Automerge sync message each, batched; documents it holds, has sent, and the server no
 *    longer lists → purged (access ended).
 * 3. Automerge's sync protocol runs per document in batched `sync` frames until both sides
 *    have nothing to send. The server stores incoming changes durably, then `ack`s the heads
 *    the device advertised; the device clears a document's unsynced mark only when the acked
 *    heads equal its current heads. While connected, changes on the server (from another
 *    device or process) reach the device as `sync` frames.
 * 4. With its hello, the device reports the plans it opened from its own copy since the last
 *    sync (`opened`, with when); the server writes them to the access log and answers `logged`
 *    with the ids the device may forget.
 * A message the server will not take is answered with `refused` and a reason code.
 */
import { decode, encode } from 'cborg';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { isPatientId, parseDocumentId, type DocumentId, type PatientId } from '$lib/domain/ids';
import type { PatientSummary } from '$lib/domain/worklist';
import { decodeSnapshotView, type SnapshotView } from './snapshot-view';

/**
 * 2: a patient's summary carries what each slot's latest record says (`records`) in place of its
 * time alone (`lastRecorded`), which a version-1 device would refuse: it is asked to update first.
 */
export const PROTOCOL_VERSION = 2;
/** Frames above this are refused unread (the server's WebSocket also caps its payload). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Documents in one message, at most. */
export const MAX_DOCS_PER_MESSAGE = 5000;
/**
 * Entries in a welcome's manifest, at most: a tablet may carry a whole municipality's plans and
 * their logs (about 80 bytes an entry, so well inside `MAX_FRAME_BYTES`).
 */
export const MAX_MANIFEST_ENTRIES = 150_000;
const MAX_ID = 200;

/** Why a frame or a change was refused: crosses the wire, becomes a sentence in the UI. */
export type SyncReason =
	| 'frame-too-large'
	| 'frame-malformed'
	| 'message-unknown'
	| 'message-invalid'
	| 'protocol-unsupported'
	| 'hello-required'
	| 'document-unknown'
	| 'document-forbidden'
	| 'sync-message-invalid'
	| 'change-refused'
	| 'server-error';

export const SYNC_REASONS: readonly SyncReason[] = [
	'frame-too-large',
	'frame-malformed',
	'message-unknown',
	'message-invalid',
	'protocol-unsupported',
	'hello-required',
	'document-unknown',
	'document-forbidden',
	'sync-message-invalid',
	'change-refused',
	'server-error'
];

/**
 * The role rule a refused change broke: a `change-refused` detail reads `<rule>: <path>`, so the
 * device can say why in the user's words.
 */
export type RefusalRule =
	| 'owned-by-care-team'
	| 'written-by-clinician'
	| 'stamped-as-another'
	| 'list-itself'
	| 'not-self-treatment'
	| 'clinician-creates-plans'
	| 'role-may-not-write'
	| 'consent-by-care-team'
	| 'consent-required'
	| 'patients-own-choice'
	| 'consent-fixed'
	| 'creator-on-care-team'
	| 'proxy-reads-only'
	| 'record-fixed'
	| 'correction-of-unknown'
	| 'correction-by-another'
	| 'correction-reason-required'
	| 'patient-has-plan'
	| 'document-invalid'
	| 'written-by-another'
	| 'error-reason-required'
	| 'change-too-large'
	| 'nesting-too-deep'
	| 'text-too-long';

export const REFUSAL_RULES: readonly RefusalRule[] = [
	'owned-by-care-team',
	'written-by-clinician',
	'stamped-as-another',
	'list-itself',
	'not-self-treatment',
	'clinician-creates-plans',
	'role-may-not-write',
	'consent-by-care-team',
	'consent-required',
	'patients-own-choice',
	'consent-fixed',
	'creator-on-care-team',
	'proxy-reads-only',
	'record-fixed',
	'correction-of-unknown',
	'correction-by-another',
	'correction-reason-required',
	'patient-has-plan',
	'document-invalid',
	'written-by-another',
	'error-reason-required',
	'change-too-large',
	'nesting-too-deep',
	'text-too-long'
];

/** The rule named in a `change-refused` detail, or null when it names none this version knows. */
export function refusalRuleOf(detail: string): RefusalRule | null {
	const rule = detail.split(':', 1)[0] as RefusalRule;
	return REFUSAL_RULES.includes(rule) ? rule : null;
}

/** One document in a manifest: its id and the hash of its sorted heads. */
export type ManifestEntry = [docId: DocumentId, headsHash: string];
/** An Automerge sync message for one document. */
export type DocMessage = { docId: DocumentId; message: Uint8Array };
/**
 * A whole document as the server stores it, for a device that lacks it; a long plan's comes with
 * its `view` at `heads` (see `snapshot-view.ts`), a field older devices pass over.
 */
export type Snapshot = { docId: DocumentId; patientId: PatientId; heads: string[]; bytes: Uint8Array; view?: SnapshotView };
/** A snapshot as the register sends it: its view as the bytes it stored (`encodeSnapshotView`), never parsed to be sent. */
export type OutgoingSnapshot = Omit<Snapshot, 'view'> & { view?: Uint8Array };
/** The server has durably stored a device's document up to these heads. */
export type Ack = { docId: DocumentId; heads: string[] };

/** A plan a device opened (a read the register did not see: local-first), with its local row id. */
export type Opened = { id: number; docId: DocumentId; at: string };

export type ClientMessage =
	| { type: 'hello'; protocol: number; peerId: string; digest: string; empty: boolean }
	| { type: 'opened'; docs: Opened[] }
	| { type: 'fetch'; docIds: DocumentId[] }
	| { type: 'sync'; docs: DocMessage[] }
	| { type: 'ping' };

export type ServerMessage =
	| { type: 'welcome'; upToDate: boolean; manifest: ManifestEntry[] }
	| { type: 'snapshots'; docs: Snapshot[]; summaries: PatientSummary[]; remaining: number }
	| { type: 'sync'; docs: DocMessage[] }
	| { type: 'ack'; docs: Ack[] }
	| { type: 'logged'; ids: number[] }
	| { type: 'refused'; reason: SyncReason; docId: DocumentId | null; detail: string }
	| { type: 'pong' };

/** A server message as the register sends it: snapshots carry their views encoded. */
export type OutgoingServerMessage = Exclude<ServerMessage, { type: 'snapshots' }> | (Omit<Extract<ServerMessage, { type: 'snapshots' }>, 'docs'> & { docs: (Snapshot | OutgoingSnapshot)[] });

export type Decoded<T> = { ok: true; message: T } | { ok: false; reason: SyncReason; detail: string };

/** Encodes a message as one binary frame. */
export function encodeMessage(message: ClientMessage | ServerMessage | OutgoingServerMessage): Uint8Array {
	return encode(message);
}

/** The hash of a document's heads, order-insensitive: what manifests compare. */
export function headsHash(heads: readonly string[]): string {
	return bytesToHex(sha256(utf8ToBytes([...heads].sort().join(',')))).slice(0, 32);
}

const DIGEST_MODULUS = 1n << 256n;
/** One manifest entry's share of the digest: its SHA-256 as a number. */
export const entryValue = ([id, hash]: ManifestEntry): bigint => BigInt(`0x${bytesToHex(sha256(utf8ToBytes(`${id} ${hash}`)))}`);
/** The digest of a sum of entry values. */
export const digestOf = (sum: bigint): string => (((sum % DIGEST_MODULUS) + DIGEST_MODULUS) % DIGEST_MODULUS).toString(16).padStart(64, '0');

/**
 * The digest of a whole manifest: equal digests mean both sides hold the same documents at the
 * same heads. It is the sum of every entry's SHA-256 (modulo 2^256: a multiset hash), so it is
 * order-free and a device keeps it current as it stores each document (`digestAfter`) instead of
 * reading every document row at each reconnect. (It used to be the hash of the sorted entries: a
 * device from before never matches, so it is sent the whole manifest and syncs correctly, with a
 * larger welcome, until it updates.)
 */
export function manifestDigest(entries: readonly ManifestEntry[]): string {
	return digestOf(entries.reduce((sum, entry) => sum + entryValue(entry), 0n));
}

/** `digest` with the entries in `removed` taken out and those in `added` put in. */
export function digestAfter(digest: string, added: readonly ManifestEntry[], removed: readonly ManifestEntry[]): string {
	let sum = BigInt(`0x${digest}`);
	for (const entry of added) sum += entryValue(entry);
	for (const entry of removed) sum -= entryValue(entry);
	return digestOf(sum);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const isStr = (v: unknown, max = MAX_ID): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isHex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{1,128}$/.test(v);
const isDocId = (v: unknown): v is DocumentId => parseDocumentId(v) !== null;
const isHeads = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 1000 && v.every(isHex);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isList = <T>(v: unknown, item: (x: unknown) => x is T, max = MAX_DOCS_PER_MESSAGE): v is T[] => Array.isArray(v) && v.length <= max && v.every(item);
const isDocMessage = (v: unknown): v is DocMessage => isObj(v) && isDocId(v.docId) && isBytes(v.message);
const isRowId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isTime = (v: unknown): v is string => typeof v === 'string' && v.length <= 40 && !Number.isNaN(Date.parse(v));
const isOpened = (v: unknown): v is Opened => isObj(v) && isRowId(v.id) && isDocId(v.docId) && isTime(v.at);

function parse(frame: Uint8Array): Decoded<Obj> {
	if (frame.byteLength > MAX_FRAME_BYTES) return { ok: false, reason: 'frame-too-large', detail: `${frame.byteLength} bytes` };
	let value: unknown;
	try {
		value = decode(frame);
	} catch (error) {
		return { ok: false, reason: 'frame-malformed', detail: error instanceof Error ? error.message.slice(0, 200) : 'not CBOR' };
	}
	if (!isObj(value) || typeof value.type !== 'string') return { ok: false, reason: 'frame-malformed', detail: 'not a message' };
	return { ok: true, message: value };
}

const invalid = (type: string): Decoded<never> => ({ ok: false, reason: 'message-invalid', detail: `bad ${type} message` });

/** Decodes and checks a frame from a device. */
export function decodeClientMessage(frame: Uint8Array): Decoded<ClientMessage> {
	const parsed = parse(frame);
	if (!parsed.ok) return parsed;
	const m = parsed.message;
	switch (m.type) {
		case 'hello':
			if (typeof m.protocol !== 'number' || !isStr(m.peerId) || !isHex(m.digest) || typeof m.empty !== 'boolean') return invalid('hello');
			if (m.protocol !== PROTOCOL_VERSION) return { ok: false, reason: 'protocol-unsupported', detail: `protocol ${m.protocol}` };
			return { ok: true, message: { type: 'hello', protocol: m.protocol, peerId: m.peerId, digest: m.digest, empty: m.empty } };
		case 'fetch':
			return isList(m.docIds, isDocId) ? { ok: true, message: { type: 'fetch', docIds: m.docIds } } : invalid('fetch');
		case 'sync':
			return isList(m.docs, isDocMessage) ? { ok: true, message: { type: 'sync', docs: m.docs } } : invalid('sync');
		case 'ping':
			return { ok: true, message: { type: 'ping' } };
		case 'opened':
			return isList(m.docs, isOpened) ? { ok: true, message: { type: 'opened', docs: m.docs } } : invalid('opened');
		default:
			return { ok: false, reason: 'message-unknown', detail: String(m.type).slice(0, 40) };
	}
}

const isEntry = (v: unknown): v is ManifestEntry => Array.isArray(v) && v.length === 2 && isDocId(v[0]) && isHex(v[1]);
const isSnapshot = (v: unknown): v is Snapshot => isObj(v) && isDocId(v.docId) && isPatientId(v.patientId) && isHeads(v.heads) && isBytes(v.bytes);

/**
 * The snapshot as the device uses it: a view that is not valid for it is left off (the plan is
 * then parsed on first open, as it would be without one), never trusted and never fatal.
 */
function checkedSnapshot(s: Snapshot): Snapshot {
	const { view, ...snapshot } = s as Omit<Snapshot, 'view'> & { view?: unknown };
	if (view === undefined) return snapshot;
	const decoded = isBytes(view) ? decodeSnapshotView(view, s.docId, s.heads) : null;
	return decoded?.ok ? { ...snapshot, view: decoded.view } : snapshot;
}
const isAck = (v: unknown): v is Ack => isObj(v) && isDocId(v.docId) && isHeads(v.heads);
const isSummary = (v: unknown): v is PatientSummary =>
	isObj(v) && isPatientId(v.patientId) && typeof v.name === 'string' && Array.isArray(v.measures) && (v.records === undefined || isObj(v.records));

/** Decodes and checks a frame from the server. */
export function decodeServerMessage(frame: Uint8Array): Decoded<ServerMessage> {
	const parsed = parse(frame);
	if (!parsed.ok) return parsed;
	const m = parsed.message;
	switch (m.type) {
		case 'welcome':
			return typeof m.upToDate === 'boolean' && isList(m.manifest, isEntry, MAX_MANIFEST_ENTRIES) ? { ok: true, message: { type: 'welcome', upToDate: m.upToDate, manifest: m.manifest } } : invalid('welcome');
		case 'snapshots':
			return isList(m.docs, isSnapshot) && isList(m.summaries, isSummary) && typeof m.remaining === 'number'
				? { ok: true, message: { type: 'snapshots', docs: m.docs.map(checkedSnapshot), summaries: m.summaries, remaining: m.remaining } }
				: invalid('snapshots');
		case 'sync':
			return isList(m.docs, isDocMessage) ? { ok: true, message: { type: 'sync', docs: m.docs } } : invalid('sync');
		case 'ack':
			return isList(m.docs, isAck) ? { ok: true, message: { type: 'ack', docs: m.docs } } : invalid('ack');
		case 'logged':
			return isList(m.ids, isRowId) ? { ok: true, message: { type: 'logged', ids: m.ids } } : invalid('logged');
		case 'refused':
			return SYNC_REASONS.includes(m.reason as SyncReason) && (m.docId === null || isDocId(m.docId)) && typeof m.detail === 'string'
				? { ok: true, message: { type: 'refused', reason: m.reason as SyncReason, docId: m.docId as DocumentId | null, detail: m.detail.slice(0, 500) } }
				: invalid('refused');
		case 'pong':
			return { ok: true, message: { type: 'pong' } };
		default:
			return { ok: false, reason: 'message-unknown', detail: String(m.type).slice(0, 40) };
	}
}
