import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as Automerge from '@automerge/automerge';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { planDocId, type ItemId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { addWhatMatters } from '$lib/domain/plan-ops';
import { pal } from '$lib/fixtures';
import { demoUsers, personRefOf } from '$lib/server/access/users';
import { demoAccounts, demoDirectory } from '$lib/server/auth/directory';
import { SESSION_COOKIE } from '$lib/server/auth/session-cookie';
import { loginRef, serverSessions } from '$lib/server/auth/sessions';
import { decodeServerMessage, encodeMessage, PROTOCOL_VERSION, type ServerMessage } from '$lib/sync/protocol';
import { CHANGE_LIMITS } from './change-limits.js';
import { deepChange, hugeTextChange, syncMessageWith } from './crafted-changes';
import { openHarness, storedDoc, type Harness } from './test-support';
import { attachSync, type SyncSocket } from './websocket';

/*
 * The register as it serves devices: one process, the real hub on SQLite, the /sync WebSocket
 * with a logged-in patient's session, and /healthz beside it, probed all along. Before the limits,
 * Automerge applied both messages on this thread: 1,500 nested maps held it for seconds (6,000
 * for 133 s), 450,000 inserted characters likewise, and the memory grown stayed.
 */
const palUser = demoUsers.find((u) => u.role === 'patient' && u.patients.includes(pal.patientId))!;
const palPlan = planDocId(pal.patientId);
const PROBE_MS = 50;
const MiB = 1024 * 1024;
// The huge change is n + 1 operations, just past the limit.
const HUGE = CHANGE_LIMITS.ops + 50_000;

let h: Harness;
let server: Server;
let sync: SyncSocket;
let port: number;
let cookie: string;

beforeEach(async () => {
	h = await openHarness();
	const sessions = serverSessions(h.store, demoDirectory);
	cookie = `${SESSION_COOKIE}=${(await sessions.start(demoAccounts().find((a) => a.user.id === palUser.id)!.claims))!.token}`;
	server = createServer((req, res) => (req.url === '/healthz' ? res.end('{"ok":true}') : res.writeHead(404).end()));
	sync = attachSync(server, h.hub, { authenticate: (req) => sessions.user(req.headers.cookie), login: (req) => loginRef(req.headers.cookie) });
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
	await sync.close();
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
	await h.cleanup();
});

/** Asks /healthz every PROBE_MS until stopped; `worst` is the longest an answer came after it was due. */
function probeHealth(): { stop: () => Promise<number> } {
	let worst = 0;
	let running = true;
	const loop = (async () => {
		for (let due = performance.now(); running; due += PROBE_MS) {
			await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
			const res = await fetch(`http://127.0.0.1:${port}/healthz`);
			await res.text();
			worst = Math.max(worst, performance.now() - due);
			due = Math.max(due, performance.now() - PROBE_MS);
		}
	})();
	return { stop: async () => ((running = false), await loop, worst) };
}

/** Pål's phone on the real WebSocket: says hello empty and holds his plan as the register sent it. */
async function palsPhone(): Promise<{ ws: WebSocket; messages: ServerMessage[]; plan: () => Automerge.Doc<Plan> }> {
	const ws = new WebSocket(`ws://127.0.0.1:${port}/sync`, { headers: { cookie } });
	const messages: ServerMessage[] = [];
	ws.on('message', (data: Buffer) => {
		const decoded = decodeServerMessage(new Uint8Array(data));
		if (decoded.ok) messages.push(decoded.message);
	});
	await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
	ws.send(encodeMessage({ type: 'hello', protocol: PROTOCOL_VERSION, peerId: 'pal-phone', digest: 'ab', empty: true }));
	await vi.waitFor(() => expect(messages.at(-1)).toMatchObject({ type: 'snapshots', remaining: 0 }), { timeout: 10_000 });
	const snapshot = messages.flatMap((m) => (m.type === 'snapshots' ? m.docs : [])).find((d) => d.docId === palPlan)!;
	return { ws, messages, plan: () => Automerge.load<Plan>(snapshot.bytes) };
}

/** Sends a frame and waits for the register's answer to it: a refusal or an acknowledgement. */
async function answerTo(phone: { ws: WebSocket; messages: ServerMessage[] }, frame: Uint8Array): Promise<ServerMessage> {
	const from = phone.messages.length;
	phone.ws.send(frame);
	const answer = () => phone.messages.slice(from).find((m) => m.type === 'refused' || m.type === 'ack');
	await vi.waitFor(() => expect(answer()).toBeDefined(), { timeout: 60_000, interval: 20 });
	return answer()!;
}

describe('bounded work per message', () => {
	it('refuses a deeply nested and a huge change from a patient’s phone while /healthz answers within 500 ms and memory returns near where it was', async () => {
		const phone = await palsPhone();
		const plan = phone.plan();
		const heads = Automerge.getHeads(plan);
		// A real entry first: it is accepted, and the check's worker is running before memory is read.
		const okId = crypto.randomUUID() as ItemId;
		const entry = Automerge.change(Automerge.clone(plan), (p) => addWhatMatters(p, okId, 'Å bo hjemme', 'patient', { by: personRefOf(palUser), at: new Date().toISOString() }));
		const change = Automerge.getLastLocalChange(entry)!;
		const first = syncMessageWith(heads, { chunk: change, hash: Automerge.decodeChange(change).hash });
		phone.ws.send(encodeMessage({ type: 'sync', docs: [{ docId: palPlan, message: first }] }));
		await vi.waitFor(() => expect(phone.messages.some((m) => m.type === 'ack')).toBe(true), { timeout: 10_000 });
		// Its provenance names the login it came in (by a name that opens nothing) and the phone.
		const [provenance] = await h.store.provenance(palPlan, 1);
		expect(provenance).toMatchObject({ session: loginRef(cookie), who: { id: palUser.id, role: 'patient' }, basis: 'patient' });
		expect(provenance!.session).toMatch(/^login-[0-9a-f]{16}$/);
		// Built before probing: this thread is the register's too.
		const deep = encodeMessage({ type: 'sync', docs: [{ docId: palPlan, message: syncMessageWith(heads, deepChange(heads, 1500)) }] });
		const huge = encodeMessage({ type: 'sync', docs: [{ docId: palPlan, message: syncMessageWith(heads, hugeTextChange(heads, HUGE)) }] });
		await (await fetch(`http://127.0.0.1:${port}/healthz`)).text(); // the first fetch loads the HTTP client
		const rssBefore = process.memoryUsage().rss;
		const probe = probeHealth();

		const deepAnswer = await answerTo(phone, deep);
		const hugeAnswer = await answerTo(phone, huge);

		expect(await probe.stop()).toBeLessThan(500);
		expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * MiB);
		expect(deepAnswer).toMatchObject({ type: 'refused', reason: 'change-refused', docId: palPlan, detail: expect.stringMatching(/^nesting-too-deep: /) });
		expect(hugeAnswer).toMatchObject({ type: 'refused', reason: 'change-refused', docId: palPlan, detail: `change-too-large: ${HUGE + 1} operations, at most ${CHANGE_LIMITS.ops}` });
		// And what the patient may write, long enough to be applied in parts, is stored and acknowledged.
		let own = Automerge.clone(entry);
		const ownHeads = Automerge.getHeads(own);
		const texts = ['Å bo hjemme så lenge jeg kan. ', 'Å se barnebarna. ', 'Å gå tur langs elva. '].map((t) => t.repeat(3500 / t.length));
		const longIds = texts.map(() => crypto.randomUUID() as ItemId);
		const changes = texts.map((text, i) => {
			own = Automerge.change(own, (p) => addWhatMatters(p, longIds[i]!, text, 'patient', { by: personRefOf(palUser), at: new Date().toISOString() }));
			return Automerge.getLastLocalChange(own)!;
		});
		const ownAnswer = await answerTo(phone, encodeMessage({ type: 'sync', docs: [{ docId: palPlan, message: Automerge.encodeSyncMessage({ heads: Automerge.getHeads(own), need: [], have: [{ lastSync: ownHeads, bloom: new Uint8Array() }], changes }) }] }));
		expect(ownAnswer).toMatchObject({ type: 'ack', docs: [{ docId: palPlan, heads: Automerge.getHeads(own) }] });

		const stored = await storedDoc<Plan & { x?: unknown }>(h.store, palPlan);
		expect(stored.x).toBeUndefined();
		expect(stored.whatMatters[okId]?.text).toBe('Å bo hjemme');
		expect(longIds.map((id) => stored.whatMatters[id]?.text)).toEqual(texts);
		phone.ws.close();
	}, 120_000);
});
