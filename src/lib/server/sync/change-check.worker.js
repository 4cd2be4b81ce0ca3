// The sync worker: decodes one document's sync message off the server's main thread and checks
// its changes against the limits (change-limits.js), so a crafted message costs this thread, not
// every user's. Answers each job with what it found and how much memory the thread now holds
// (its heap and Automerge's wasm memory, which never shrinks): the pool replaces a worker that
// grew, or that ran past its time. Plain JS, found beside its pool by URL both under vitest and
// in the built server.
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { decodeSyncMessage } from '@automerge/automerge';
import { checkChanges } from './change-limits.js';

/**
 * @param {{ id: number; message: Uint8Array }} job
 * @returns {import('./change-checker').CheckAnswer}
 */
function check({ id, message }) {
	let decoded;
	try {
		decoded = decodeSyncMessage(message);
	} catch {
		return { id, ok: false, excess: 'undecodable', detail: 'undecodable sync message', memory: memory() };
	}
	const result = checkChanges(decoded.changes);
	return result.ok ? { id, ok: true, heads: decoded.heads, need: decoded.need, ops: result.ops, memory: memory() } : { id, ...result, memory: memory() };
}

function memory() {
	const heap = getHeapStatistics();
	return heap.used_heap_size + heap.external_memory;
}

parentPort?.on('message', (job) => parentPort?.postMessage(check(job)));
