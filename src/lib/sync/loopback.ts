/**
 * Connects a device's sync client to the server's hub in one process, without sockets: frames
 * are delivered in order, asynchronously, and counted. Used by the property tests and the
 * benchmark (automerge-repo's twoPeers idea). Round trips are counted by causal depth: hello is
 * depth 1, and a frame the device sends while handling a server frame of depth d has depth d + 1.
 */
export type Endpoint = { receive(frame: Uint8Array): Promise<void> };
export type HubLike = { connect(send: (frame: Uint8Array) => void): Endpoint & { close(): void } };
export type ClientLike = Endpoint & { start(send: (frame: Uint8Array) => void): Promise<void>; stop(): void };

export type LinkStats = { toServerFrames: number; toServerBytes: number; toDeviceFrames: number; toDeviceBytes: number; roundTrips: number };

export type Loopback = {
	stats: LinkStats;
	/** Resolves when no frame is in flight or being handled on either side. */
	idle(): Promise<void>;
	/** Cuts the link (both sides see a disconnect; frames in flight are lost). */
	close(): void;
};

type Queued = { frame: Uint8Array; depth: number };

/**
 * Connects `client` to `hub`; the client's hello goes out at once. `watch` sees each frame handed
 * to the device with its round trip (the depth of the device's frame it answers).
 */
export async function connectLoopback(hub: HubLike, client: ClientLike, watch?: (frame: Uint8Array, roundTrip: number) => void): Promise<Loopback> {
	const stats: LinkStats = { toServerFrames: 0, toServerBytes: 0, toDeviceFrames: 0, toDeviceBytes: 0, roundTrips: 0 };
	const toServer: Queued[] = [];
	const toDevice: Queued[] = [];
	let open = true;
	let busy = 0;
	let deviceDepth = 0;
	let serverDepth = 0;
	let waiters: (() => void)[] = [];

	const settle = () => {
		if (busy === 0 && !toServer.length && !toDevice.length) {
			const w = waiters;
			waiters = [];
			for (const resolve of w) resolve();
		}
	};
	const pump = (queue: Queued[], target: Endpoint, setDepth: (d: number) => void, seen?: (q: Queued) => void) => {
		if (busy || !queue.length || !open) return settle();
		const next = queue.shift()!;
		busy++;
		setTimeout(() => {
			setDepth(next.depth);
			seen?.(next);
			void target
				.receive(next.frame)
				.catch(() => undefined)
				.finally(() => {
					busy--;
					pumpAll();
				});
		}, 0);
	};
	const session = hub.connect((frame) => {
		if (!open) return;
		stats.toDeviceFrames++;
		stats.toDeviceBytes += frame.byteLength;
		toDevice.push({ frame, depth: serverDepth });
		pumpAll();
	});
	function pumpAll() {
		pump(toServer, session, (d) => (serverDepth = d));
		pump(toDevice, client, (d) => (deviceDepth = d + 1), watch && ((q) => watch(q.frame, q.depth)));
	}
	await client.start((frame) => {
		if (!open) return;
		const depth = Math.max(deviceDepth, 1);
		stats.toServerFrames++;
		stats.toServerBytes += frame.byteLength;
		stats.roundTrips = Math.max(stats.roundTrips, depth);
		toServer.push({ frame, depth });
		pumpAll();
	});
	return {
		stats,
		idle: () =>
			new Promise<void>((resolve) => {
				waiters.push(resolve);
				settle();
			}),
		close() {
			open = false;
			toServer.length = 0;
			toDevice.length = 0;
			session.close();
			client.stop();
			settle();
		}
	};
}
