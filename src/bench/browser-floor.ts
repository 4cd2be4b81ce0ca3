// The floor for a fresh device: what the same Chromium needs to receive the same saved document
// bytes over a loopback WebSocket and write them to IndexedDB, one row per document, in one
// transaction per ~1 MiB frame, pipelined (the next frame's write starts before the last ends).
// No parsing beyond splitting the frame, no list rows, no rendering: nothing can do less.
// Frame: u32 count, then per document u16 id length, id (UTF-8), u32 byte length, bytes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { inPage } from './browser-probe';

export type FloorDoc = { docId: string; bytes: Uint8Array };
export const FLOOR_DB = 'floor';
const FRAME_BYTES = 1024 * 1024;

function frames(docs: readonly FloorDoc[]): Buffer[] {
	const out: Buffer[] = [];
	let batch: Buffer[] = [];
	let size = 0;
	let count = 0;
	const flush = () => {
		const head = Buffer.alloc(4);
		head.writeUInt32LE(count);
		out.push(Buffer.concat([head, ...batch]));
		batch = [];
		size = count = 0;
	};
	for (const d of docs) {
		const id = Buffer.from(d.docId);
		const head = Buffer.alloc(6 + id.length);
		head.writeUInt16LE(id.length, 0);
		id.copy(head, 2);
		head.writeUInt32LE(d.bytes.length, 2 + id.length);
		batch.push(head, Buffer.from(d.bytes.buffer, d.bytes.byteOffset, d.bytes.length));
		size += head.length + d.bytes.length;
		count++;
		if (size >= FRAME_BYTES) flush();
	}
	if (count) flush();
	return out;
}

/** The minimal page: opens its database, asks for the frames, writes each as it comes. */
function page(): void {
	const open = indexedDB.open('floor', 1);
	open.onupgradeneeded = () => open.result.createObjectStore('docs', { keyPath: 'docId' });
	open.onsuccess = () => {
		const db = open.result;
		const ws = new WebSocket(`ws://${location.host}/floor`);
		ws.binaryType = 'arraybuffer';
		ws.onopen = () => ws.send('go');
		ws.onmessage = (e: MessageEvent<ArrayBuffer>) => {
			const view = new DataView(e.data);
			const text = new TextDecoder();
			const store = db.transaction('docs', 'readwrite').objectStore('docs');
			let at = 4;
			for (let i = view.getUint32(0, true); i > 0; i--) {
				const idLength = view.getUint16(at, true);
				const docId = text.decode(new Uint8Array(e.data, at + 2, idLength));
				const length = view.getUint32(at + 2 + idLength, true);
				at += 6 + idLength;
				store.put({ docId, bytes: e.data.slice(at, at + length) });
				at += length;
			}
		};
	};
}

/** Serves the floor page and its frames on `port` (loopback); `bytes` is what goes down. */
export async function startFloor(port: number, docs: readonly FloorDoc[]): Promise<{ url: string; bytes: number; close(): Promise<void> }> {
	const out = frames(docs);
	const html = `<!doctype html><meta charset="utf-8"><title>floor</title><script>${inPage(page)}()</script>`;
	const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(html));
	const wss = new WebSocketServer({ server, path: '/floor' });
	wss.on('connection', (ws) => ws.once('message', () => out.forEach((f) => ws.send(f))));
	await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
		bytes: out.reduce((n, f) => n + f.length, 0),
		close: () => new Promise<void>((resolve) => (wss.close(), server.close(() => resolve())))
	};
}
