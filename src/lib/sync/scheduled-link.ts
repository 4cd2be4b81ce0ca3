/**
 * A link between a device's sync client and the hub on which frames move only when the test
 * says so, for property tests that replay from a seed. Nothing is timed: each `step` takes one
 * frame in flight in one direction (any of them, so frames overtake each other) and delivers it,
 * delivers it and keeps it to be delivered again, or loses it. Chosen by generated values, the
 * same seed gives the same run. `close` cuts the link as a lost connection does: what was in
 * flight is gone, and both sides see the end.
 */
import type { ClientLike, Endpoint } from './loopback';

/** What the network does with the frame a step takes. */
export type Fault = 'deliver' | 'duplicate' | 'drop';

/** Opens the hub's side: `send` carries its frames, `ended` is called when the hub ends the session. */
export type OpenSession = (send: (frame: Uint8Array) => void, ended: () => void) => Endpoint & { close(): void };

export class ScheduledLink {
	readonly toServer: Uint8Array[] = [];
	readonly toDevice: Uint8Array[] = [];
	#open = true;
	readonly #session: Endpoint & { close(): void };

	private constructor(
		open: OpenSession,
		readonly client: ClientLike,
		/** Sees every frame handed to the device, duplicates included. */
		readonly onDeviceFrame: (frame: Uint8Array) => void
	) {
		this.#session = open(
			(frame) => this.#open && void this.toDevice.push(frame),
			() => this.close()
		);
	}

	/** Connects `client` to a new session; its hello is in flight when this resolves. */
	static async open(open: OpenSession, client: ClientLike, onDeviceFrame: (frame: Uint8Array) => void = () => undefined): Promise<ScheduledLink> {
		const link = new ScheduledLink(open, client, onDeviceFrame);
		await client.start((frame) => link.#open && void link.toServer.push(frame));
		return link;
	}

	get isOpen(): boolean {
		return this.#open;
	}

	/** Frames in flight either way. */
	get inFlight(): number {
		return this.toServer.length + this.toDevice.length;
	}

	/**
	 * Takes frame `pick` (modulo how many are in flight) going one way, the other way when none
	 * is, and does `fault` with it; resolves once the receiving side has handled it. False when
	 * nothing was in flight.
	 */
	async step(toServer: boolean, pick: number, fault: Fault): Promise<boolean> {
		const queue = (toServer && this.toServer.length) || !this.toDevice.length ? this.toServer : this.toDevice;
		if (!this.#open || !queue.length) return false;
		const at = pick % queue.length;
		const frame = queue[at] as Uint8Array;
		if (fault !== 'duplicate') queue.splice(at, 1);
		if (fault === 'drop') return true;
		if (queue === this.toServer) await this.#session.receive(frame);
		else {
			this.onDeviceFrame(frame);
			await this.client.receive(frame);
		}
		return true;
	}

	/** Delivers the oldest frame in flight (to the server first), faithfully; false when none is. */
	next(): Promise<boolean> {
		return this.step(this.toServer.length > 0, 0, 'deliver');
	}

	/** Cuts the link: frames in flight are lost, the session and the client's exchange end. */
	close(): void {
		if (!this.#open) return;
		this.#open = false;
		this.toServer.length = 0;
		this.toDevice.length = 0;
		this.#session.close();
		this.client.stop();
	}
}
