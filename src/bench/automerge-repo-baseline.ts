// The baseline the sync benchmark is measured against: automerge-repo 2.x fetching documents to a
// fresh peer over a MessageChannel in the same process, no network delay, at its best honest
// setting:
// - the server does not announce its documents (automerge's own sync server does not: a device
//   asks for what it wants); announcing doubles the messages and made totals swing from 2 to 23 s;
// - a warm process (the caller runs it once before timing), the connection handshake awaited
//   before the first find (a find issued before the peers meet is answered "unavailable"), and
//   every find in flight at once;
// - the device stores what it receives, as ours does: automerge-repo's IndexedDB adapter (on
//   fake-indexeddb in Node, as our device), and the time ends when its storage is flushed.
// What each side does with a document differs: automerge-repo loads (parses) every document it
// receives before it can store it; ours stores the snapshot bytes unparsed.
import { MessageChannel } from 'node:worker_threads';
import type { Doc } from '@automerge/automerge';
import * as A from '@automerge/automerge';
import { Repo, type AutomergeUrl, type PeerId } from '@automerge/automerge-repo';
import { MessageChannelNetworkAdapter } from '@automerge/automerge-repo-network-messagechannel';
import { IndexedDBStorageAdapter } from '@automerge/automerge-repo-storage-indexeddb';

export type BaselineResult = { ms: number; documents: number };
export const BASELINE_SETTING = 'no announce, warm, handshake awaited, all finds in flight; the device parses each document and stores it in IndexedDB';

/** A server repo holding `docs` (in memory, warm), announcing none of them. */
export function automergeRepoServer(docs: readonly Doc<unknown>[]): { server: Repo; urls: AutomergeUrl[] } {
	const server = new Repo({ peerId: 'server' as PeerId, shareConfig: { announce: async () => false, access: async () => true } });
	return { server, urls: docs.map((d) => server.import(A.save(d)).url) };
}

/** Time for a fresh peer, storing into IndexedDB database `deviceDb`, to hold every one of `urls` from `server`. */
export async function automergeRepoFreshPeer(server: Repo, urls: readonly AutomergeUrl[], deviceDb: string): Promise<BaselineResult> {
	const { port1, port2 } = new MessageChannel();
	// automerge-repo's adapter takes a browser MessagePort; Node's has the same methods.
	const serverSide = new MessageChannelNetworkAdapter(port1 as unknown as MessagePort);
	server.networkSubsystem.addNetworkAdapter(serverSide);
	const device = new Repo({ network: [new MessageChannelNetworkAdapter(port2 as unknown as MessagePort)], storage: new IndexedDBStorageAdapter(deviceDb), peerId: `device-${deviceDb}` as PeerId });
	if (!device.peers.length) await new Promise<void>((resolve) => device.networkSubsystem.once('peer', () => resolve()));
	const started = performance.now();
	const handles = await Promise.all(urls.map((url) => device.find(url)));
	if (handles.some((h) => !h.doc())) throw new Error('automerge-repo returned a document without content');
	await device.flush();
	const ms = performance.now() - started;
	await device.shutdown();
	server.networkSubsystem.removeNetworkAdapter(serverSide);
	port1.close();
	return { ms, documents: urls.length };
}
