import type { Doc } from '@automerge/automerge/slim';
import { demoDocuments } from '$lib/fixtures';
import { DbepDb } from '$lib/storage/db';
import { PlanRepository } from '$lib/storage/plan-repository';
import { SyncClient } from './client';
import { StandInServer } from './stand-in-server';

/**
 * For tests only: a stand-in server holding the demo plans and a device with an empty database,
 * joined by frames carried by hand, so a test decides when (and whether) each one arrives.
 */
export function standInPair() {
	const server = new StandInServer();
	for (const d of demoDocuments()) server.docs.set(d.docId, d.doc as Doc<unknown>);
	const db = new DbepDb(`dbep-test-${crypto.randomUUID()}`);
	const repo = new PlanRepository(db);
	const client = new SyncClient(repo, { peerId: 'device-1' });
	const toServer: Uint8Array[] = [];

	/**
	 * Carries one batch each way: the device's frames to the server, then the server's to the
	 * device, all queued at once (or only the first `limit` of the server's, the rest left waiting).
	 */
	async function step(limit = Infinity): Promise<boolean> {
		for (const f of toServer.splice(0)) server.receive(f);
		const frames = server.outbox.splice(0, limit);
		await Promise.all(frames.map((f) => client.receive(f)));
		return frames.length > 0 || toServer.length > 0;
	}

	/** Carries frames both ways until both sides are quiet. */
	async function pump(): Promise<void> {
		for (let round = 0; round < 50; round++) if (!(await step())) return;
		throw new Error('sync did not settle');
	}

	/** Starts a connection: the device's hello waits to be carried. */
	async function open(): Promise<void> {
		await client.start((f) => toServer.push(f));
	}

	/** Starts a connection and syncs until quiet. */
	async function connect(): Promise<void> {
		await open();
		await pump();
	}

	/** The connection breaks: frames in flight either way are lost. */
	function drop(): void {
		toServer.length = 0;
		server.outbox.length = 0;
		client.stop('offline');
	}

	return { server, db, repo, client, step, pump, open, connect, drop };
}
