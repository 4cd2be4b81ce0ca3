// What the browser benchmark puts into each page before the page's own scripts run (Playwright's
// `addInitScript`), so ours, the floor and PouchDB are timed by the same code on the page's clock:
// - every WebSocket's traffic: the first frame received, bytes down, and round trips (a frame
//   sent, then one received), from a mark the bench sets (`__probe.mark()`);
// - from the first frame on, a poll (every 25 ms) of the IndexedDB stores named in `counts`,
//   until each holds at least that many rows: `done` is when they first all did;
// - the peak JS heap (`performance.memory`, precise with --enable-precise-memory-info) and when
//   the first patient row was on screen, checked every poll and every 100 ms.
// A poll's count is one short read transaction: it may wait behind a write, not delay one.

export type ProbeTarget = { db: string; counts: Record<string, number> };
export type ProbeResult = {
	firstFrame: number | null;
	/** When the last frame so far arrived: during a fresh sync, how long the register took to send everything. */
	lastFrame: number | null;
	done: number | null;
	firstRow: number | null;
	/** When the patient list was first on screen (its `dbep:list-mounted` mark): on a new tablet the PIN screen comes first, while the sync runs. */
	listPage: number | null;
	bytesDown: number;
	framesDown: number;
	framesUp: number;
	roundTrips: number;
	peakHeap: number;
	/** When the last `mark()` was set, and the first frame received after it. */
	markedAt: number;
	firstFrameAfterMark: number | null;
	/** After the mark: when a socket first opened and the first frame went up (the reconnect's parts). */
	openAfterMark: number | null;
	firstSendAfterMark: number | null;
	/** When the page last heard it was online again (the app reconnects on this event). */
	onlineAt: number | null;
};

/** The init script; `target` null only watches the sockets and the heap. Runs in the page: self-contained. */
export function installProbe(target: ProbeTarget | null): void {
	const r: ProbeResult = { firstFrame: null, lastFrame: null, done: null, firstRow: null, listPage: null, bytesDown: 0, framesDown: 0, framesUp: 0, roundTrips: 0, peakHeap: 0, markedAt: 0, firstFrameAfterMark: null, openAfterMark: null, firstSendAfterMark: null, onlineAt: null };
	let lastWasSend = false;
	const heap = () => {
		if (r.firstRow === null && document.querySelector('[data-testid="patient-row"]')) r.firstRow = performance.now();
		if (r.firstFrame !== null && location.pathname === '/') {
			// The list's own mark: a new device's PIN screen, also at '/', comes before the list.
			if (r.listPage === null) r.listPage = performance.getEntriesByName('dbep:list-mounted')[0]?.startTime ?? null;
		}
		const used = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
		if (used > r.peakHeap) r.peakHeap = used;
	};
	let polling = false;
	const poll = async () => {
		if (!target || polling) return;
		polling = true;
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const open = indexedDB.open(target.db);
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		// The page may upgrade its database: step aside, and reopen on the next poll.
		let current: IDBDatabase | null = db;
		db.onversionchange = () => (db.close(), (current = null));
		const count = (store: string) =>
			new Promise<number>((resolve) => {
				if (!current || !current.objectStoreNames.contains(store)) return resolve(0);
				const req = current.transaction(store, 'readonly').objectStore(store).count();
				req.onsuccess = () => resolve(req.result);
				req.onerror = () => resolve(0);
			});
		while (r.done === null) {
			heap();
			const counts = await Promise.all(Object.entries(target.counts).map(async ([s, n]) => (await count(s)) >= n));
			if (counts.every(Boolean)) r.done = performance.now();
			else await new Promise((resolve) => setTimeout(resolve, 25));
		}
		polling = false;
	};
	const Native = WebSocket;
	class ProbedSocket extends Native {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols);
			this.addEventListener('open', () => {
				if (r.markedAt && r.openAfterMark === null) r.openAfterMark = performance.now();
			});
			this.addEventListener('message', (e: MessageEvent) => {
				const now = performance.now();
				r.firstFrame ??= now;
				if (r.done === null) r.lastFrame = now;
				if (r.markedAt && r.firstFrameAfterMark === null) r.firstFrameAfterMark = now;
				r.framesDown++;
				r.bytesDown += e.data instanceof ArrayBuffer ? e.data.byteLength : String(e.data).length;
				if (lastWasSend) r.roundTrips++;
				lastWasSend = false;
				void poll();
			});
		}
		override send(data: Parameters<WebSocket['send']>[0]): void {
			r.framesUp++;
			if (r.markedAt && r.firstSendAfterMark === null) r.firstSendAfterMark = performance.now();
			lastWasSend = true;
			super.send(data);
		}
	}
	window.WebSocket = ProbedSocket;
	// Added before the app's own listener: the time the page learns it is online, before it acts.
	window.addEventListener('online', () => (r.onlineAt = performance.now()));
	setInterval(heap, 100);
	Object.assign(window, {
		__probe: {
			result: () => (heap(), r),
			/** Starts counting afresh: traffic and round trips from now. */
			mark: () => {
				lastWasSend = false;
				Object.assign(r, { markedAt: performance.now(), onlineAt: null, firstFrameAfterMark: null, openAfterMark: null, firstSendAfterMark: null, roundTrips: 0, framesUp: 0, framesDown: 0, bytesDown: 0 });
			},
			/** Polls now (for pages that receive without a WebSocket, as PouchDB's over HTTP). */
			watch: (from: number) => ((r.firstFrame = from), void poll())
		}
	});
}

/**
 * `fn`'s source as an expression for a page. tsx (esbuild, keepNames) wraps named functions in
 * `__name(…)`, which exists only in Node: the page gets a stand-in.
 */
export function inPage(fn: (...args: never[]) => void): string {
	return `((__name) => (${fn.toString()}))((f) => f)`;
}

/** The probe as an init script for `target`. */
export function probeScript(target: ProbeTarget | null): string {
	return `${inPage(installProbe)}(${JSON.stringify(target)})`;
}
