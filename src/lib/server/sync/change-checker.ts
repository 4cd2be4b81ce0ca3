/**
 * Checks devices' sync messages in worker threads before the hub applies them (doc-sync.ts): a
 * message at the limits costs a worker ~0.3 s, one far past them (millions of operations) is
 * refused from one column's run lengths, and the main thread, which serves every other user,
 * spends nothing on either. A worker that runs past its time budget, dies, or grows past
 * `maxMemoryBytes` (Automerge's wasm memory never shrinks once grown) is terminated, which
 * returns its memory, and a fresh one starts for the next message.
 */
import { Worker } from 'node:worker_threads';
import { CHANGE_LIMITS, type Excess } from './change-limits.js';

/** A large message's changes in order, with the operations each holds. */
type Parts = { changes: Uint8Array[]; sizes: number[] };

/** What a worker answers for one job (change-check.worker.js). */
export type CheckAnswer = { id: number; memory: number } & ({ ok: true; heads: string[]; need: string[]; parts?: Parts } | { ok: false; excess: Excess; detail: string });

/**
 * A message the hub may apply (with what its decoding found), or why not: past a limit, past the
 * time budget, or `failed` (the worker died or the server is closing: not the message's fault).
 */
export type ChangeCheck =
	| { ok: true; heads: string[]; need: string[]; slices?: Uint8Array[][] }
	| { ok: false; excess: Excess | 'time' | 'failed'; detail: string };

/** Operations the hub applies between two turns of its event loop. */
export const SLICE_OPS = 5_000;

/** A large message's changes in runs of about SLICE_OPS operations, in order. */
function slicesOf({ changes, sizes }: Parts): Uint8Array[][] {
	const slices: Uint8Array[][] = [];
	let slice: Uint8Array[] = [];
	let ops = 0;
	changes.forEach((change, i) => {
		const size = sizes[i] ?? 0;
		if (slice.length && ops + size > SLICE_OPS) slices.push(slice), (slice = []), (ops = 0);
		slice.push(change);
		ops += size;
	});
	if (slice.length) slices.push(slice);
	return slices;
}

const CLOSING: ChangeCheck = { ok: false, excess: 'failed', detail: 'server closing' };

export type ChangeCheckerOptions = { workers?: number; budgetMs?: number; maxMemoryBytes?: number };

type Job = { id: number; message: Uint8Array; done: (check: ChangeCheck) => void };
/** A worker and the job in hand; `ready` once it has loaded, so its start-up is not counted against the budget. */
type Slot = { worker: Worker | null; ready: boolean; job: Job | null; timer?: ReturnType<typeof setTimeout> };

/**
 * The worker's file: beside this module under vitest and `vite dev`; kit's build bundles this
 * module elsewhere and does not copy the worker, so src/server.js names the source file here.
 */
export const SYNC_WORKER = Symbol.for('dbep.sync.worker');
const workerUrl = (): URL => (Reflect.get(globalThis, SYNC_WORKER) as URL | undefined) ?? new URL('./change-check.worker.js', import.meta.url);

export class ChangeChecker {
	readonly #slots: Slot[];
	readonly #queue: Job[] = [];
	readonly #budgetMs: number;
	readonly #maxMemory: number;
	#nextId = 0;
	#closed = false;

	constructor({ workers = 2, budgetMs = 3000, maxMemoryBytes = 256 * 1024 * 1024 }: ChangeCheckerOptions = {}) {
		this.#slots = Array.from({ length: workers }, () => ({ worker: null, ready: false, job: null }));
		this.#budgetMs = budgetMs;
		this.#maxMemory = maxMemoryBytes;
	}

	/**
	 * Starts every worker now, so the first messages do not wait for one to load (0.3–0.5 s here,
	 * seconds under load): a server's first device after a restart, a test's first change.
	 */
	warm(): this {
		for (const slot of this.#slots) if (!this.#closed) slot.worker ??= this.#start(slot);
		return this;
	}

	/** Checks one document's sync message; resolves (never rejects) once a worker has answered or given up. */
	check(message: Uint8Array): Promise<ChangeCheck> {
		if (this.#closed) return Promise.resolve(CLOSING);
		const bytes = message.byteLength;
		if (bytes > CHANGE_LIMITS.bytes) return Promise.resolve({ ok: false, excess: 'bytes', detail: `${bytes} bytes, at most ${CHANGE_LIMITS.bytes}` });
		return new Promise((done) => {
			this.#queue.push({ id: ++this.#nextId, message, done });
			this.#dispatch();
		});
	}

	/** Ends every worker; messages still queued are refused. */
	async close(): Promise<void> {
		this.#closed = true;
		for (const job of this.#queue.splice(0)) job.done(CLOSING);
		await Promise.all(this.#slots.map((slot) => this.#finish(slot, CLOSING, true)));
	}

	#dispatch(): void {
		for (const slot of this.#slots) {
			if (slot.job || !this.#queue.length) continue;
			const job = this.#queue.shift() as Job;
			slot.job = job;
			slot.worker ??= this.#start(slot);
			// A job in hand keeps the process alive (a script awaiting a check would otherwise exit); an idle worker does not.
			slot.worker.ref();
			if (slot.ready) this.#startClock(slot);
			slot.worker.postMessage({ id: job.id, message: job.message });
		}
	}

	/**
	 * Starts the budget for the job in hand. A worker's start-up (seconds on a loaded machine) is
	 * not the message's cost: counting it would refuse an ordinary change as too large.
	 */
	#startClock(slot: Slot): void {
		slot.timer = setTimeout(() => void this.#finish(slot, { ok: false, excess: 'time', detail: `not checked within ${this.#budgetMs} ms` }, true), this.#budgetMs);
	}

	#start(slot: Slot): Worker {
		const worker = new Worker(workerUrl(), { resourceLimits: { maxOldGenerationSizeMb: 128 } });
		worker.on('message', (answer: CheckAnswer | { ready: true }) => {
			if (slot.worker !== worker) return;
			if ('ready' in answer) {
				slot.ready = true;
				if (slot.job) this.#startClock(slot);
				return;
			}
			if (slot.job?.id !== answer.id) return;
			const check: ChangeCheck = !answer.ok
				? { ok: false, excess: answer.excess, detail: answer.detail }
				: { ok: true, heads: answer.heads, need: answer.need, ...(answer.parts ? { slices: slicesOf(answer.parts) } : {}) };
			void this.#finish(slot, check, answer.memory > this.#maxMemory);
		});
		// Out of memory or crashed: the job in hand is refused, and the next one gets a fresh worker.
		const lost = () => slot.worker === worker && void this.#finish(slot, { ok: false, excess: 'failed', detail: 'the check failed' }, true);
		worker.on('error', lost);
		worker.on('exit', lost);
		worker.unref();
		return worker;
	}

	async #finish(slot: Slot, check: ChangeCheck, replace: boolean): Promise<void> {
		clearTimeout(slot.timer);
		const { job, worker } = slot;
		slot.job = null;
		if (replace) {
			slot.worker = null;
			slot.ready = false;
		}
		worker?.unref();
		job?.done(check);
		if (!this.#closed) this.#dispatch();
		if (replace && worker) await worker.terminate();
	}
}
