// The baseline the sync benchmark is measured against: automerge-repo 2.x fetching documents
// to a fresh peer over a MessageChannel in the same process, no network delay, no storage
// (in memory: the most favourable setting for it).
import { MessageChannel } from 'node:worker_threads';
import type { Doc } from '@automerge/automerge';
import * as A from '@automerge/automerge';
import { Repo, type AutomergeUrl, type PeerId } from '@automerge/automerge-repo';
import { MessageChannelNetworkAdapter } from '@automerge/automerge-repo-network-messagechannel';

export type BaselineResult = { ms: number; documents: number; inFlight: number };

/** Time for a fresh peer to hold every document, with `inFlight` finds outstanding at once. */
export async function automergeRepoFreshPeer(docs: readonly Doc<unknown>[], inFlight = 50): Promise<BaselineResult> {
	const { port1, port2 } = new MessageChannel();
	// automerge-repo's adapter takes a browser MessagePort; Node's has the same methods.
	const server = new Repo({ network: [new MessageChannelNetworkAdapter(port1 as unknown as MessagePort)], peerId: 'server' as PeerId, sharePolicy: async () => true });
	const urls: AutomergeUrl[] = docs.map((d) => server.import(A.save(d)).url);
	const device = new Repo({ network: [new MessageChannelNetworkAdapter(port2 as unknown as MessagePort)], peerId: 'device' as PeerId, sharePolicy: async () => true });

	// A find issued before the two peers have met is answered "unavailable" (seen on a loaded
	// machine): time the fetching from when they are connected.
	if (!device.peers.length) await new Promise<void>((resolve) => device.networkSubsystem.once('peer', () => resolve()));
	const started = performance.now();
	let next = 0;
	const worker = async () => {
		while (next < urls.length) {
			const url = urls[next++]!;
			const handle = await device.find(url);
			if (!handle.doc()) throw new Error(`automerge-repo returned no document for ${url}`);
		}
	};
	await Promise.all(Array.from({ length: inFlight }, worker));
	const ms = performance.now() - started;
	await Promise.all([device.shutdown(), server.shutdown()]);
	port1.close();
	return { ms, documents: urls.length, inFlight };
}
