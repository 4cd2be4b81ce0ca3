import pg from 'pg';

const RETRY_MS = 1000;

/**
 * One dedicated connection that LISTENs on a channel and hands each payload to `onPayload`,
 * reconnecting after a lost connection. Notifications sent while it is disconnected are lost.
 */
export class PgListener {
	#client: pg.Client | null = null;
	#closed = false;
	#retry: ReturnType<typeof setTimeout> | null = null;

	private constructor(
		readonly connectionString: string,
		readonly channel: string,
		readonly onPayload: (payload: string) => void
	) {}

	/** Resolves once the first LISTEN is in effect, so no commit after it goes unheard. */
	static async start(connectionString: string, channel: string, onPayload: (payload: string) => void): Promise<PgListener> {
		const listener = new PgListener(connectionString, channel, onPayload);
		await listener.#connect();
		return listener;
	}

	async #connect(): Promise<void> {
		const client = new pg.Client({ connectionString: this.connectionString, application_name: 'dbep-listen' });
		client.on('notification', (message) => {
			if (message.channel === this.channel && message.payload) this.onPayload(message.payload);
		});
		client.on('error', (error) => this.#lost(client, error));
		client.on('end', () => this.#lost(client, new Error('connection ended')));
		try {
			await client.connect();
			await client.query(`LISTEN "${this.channel}"`);
		} catch (error) {
			await client.end().catch(() => undefined);
			throw error;
		}
		if (this.#closed) await client.end();
		else this.#client = client;
	}

	#lost(client: pg.Client, error: Error): void {
		if (this.#closed || this.#client !== client) return;
		this.#client = null;
		console.error(`document store: LISTEN ${this.channel} lost (${error.message}); reconnecting`);
		void client.end().catch(() => undefined);
		this.#scheduleRetry();
	}

	#scheduleRetry(): void {
		if (this.#closed || this.#retry) return;
		this.#retry = setTimeout(() => {
			this.#retry = null;
			if (this.#closed) return;
			this.#connect().catch((error: Error) => {
				console.error(`document store: LISTEN ${this.channel} failed (${error.message}); retrying`);
				this.#scheduleRetry();
			});
		}, RETRY_MS);
	}

	/** Stops listening and closes the connection. */
	async close(): Promise<void> {
		this.#closed = true;
		if (this.#retry) clearTimeout(this.#retry);
		const client = this.#client;
		this.#client = null;
		await client?.end();
	}
}
