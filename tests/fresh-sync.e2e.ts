import { decode, encode } from 'cborg';
import { expect, test, type WebSocketRoute } from './test';
import { clinicians } from '../src/lib/fixtures';
import { logIn, progressSeen, recordProgress, wcagViolations } from './helpers';
import { serverProcess } from './server-process';

const nurse = clinicians.ranaNurse.name;
const EXTRA = 60;
/** Plans of the demo on the Rana nurse's care team, besides the generated ones. */
const DEMO_RANA = 2;
/** Documents in each snapshots frame the test's network passes on: many small frames, so it can stop at 60 %. */
const DOCS_PER_FRAME = 8;

type Snapshots = { type: 'snapshots'; docs: { docId: string }[]; summaries: { patientId: string }[]; remaining: number };


const counted = (text: string) => {
	const m = /^Henter planer: (\d+) av (\d+)$/.exec(text);
	return m ? ([Number(m[1]), Number(m[2])] as const) : null;
};

/**
 * The tablet's network to the register, cut into small frames: each `snapshots` frame is passed
 * on as frames of a few documents (their `remaining` counted as the register would), and, while
 * `hold` says so, the rest wait. Records what the tablet asks for.
 */
class Network {
	passed = 0;
	/** Whether frames are being held back now. */
	holding = false;
	hold: (passed: number, total: number) => boolean = () => false;
	readonly fetched: string[][] = [];

	/** Each connection of the tablet's: frames held back on one are lost with it, as on a real network. */
	route(ws: WebSocketRoute): void {
		const held: Buffer[] = [];
		const pass = (frame: Buffer, docs: number, remaining: number) => {
			if (held.length || this.hold(this.passed, this.passed + docs + remaining)) {
				this.holding = true;
				return void held.push(frame);
			}
			this.passed += docs;
			ws.send(frame);
		};
		const server = ws.connectToServer();
		ws.onMessage((m) => {
			const message = decode(m as Buffer) as { type: string; docIds?: string[] };
			if (message.type === 'fetch') this.fetched.push(message.docIds ?? []);
			server.send(m);
		});
		server.onMessage((m) => {
			const message = decode(m as Buffer) as { type: string };
			if (message.type !== 'snapshots') return ws.send(m);
			const { docs, summaries, remaining } = message as Snapshots;
			for (let i = 0; i < docs.length || i === 0; i += DOCS_PER_FRAME) {
				const part = docs.slice(i, i + DOCS_PER_FRAME);
				const patients = new Set(part.map((d) => d.docId.split(':')[1]));
				const frame = { type: 'snapshots', docs: part, summaries: summaries.filter((s) => patients.has(s.patientId)), remaining: remaining + Math.max(0, docs.length - i - DOCS_PER_FRAME) };
				pass(Buffer.from(encode(frame)), part.length, frame.remaining);
			}
		});
	}
}

test('a fresh tablet’s first sync, cut off at 60 %, goes on from where it stopped, and the list is usable meanwhile', async ({ browser }) => {
	test.setTimeout(300_000);
	const server = serverProcess(4874, undefined, { DBEP_DEMO_EXTRA_PATIENTS: String(EXTRA) });
	await server.start();
	try {
		const context = await browser.newContext();
		const page = await context.newPage();
		const network = new Network();
		// Frames stop once 60 % of the plans have come through.
		network.hold = (passed, total) => passed >= 0.6 * total;
		await context.routeWebSocket(/\/sync$/, (ws) => network.route(ws));
		await recordProgress(page);
		await logIn(page, nurse, server.url);

		// Part of the plans are in: the list shows them and the search finds one, while the progress line says how far it has come.
		const progress = page.getByTestId('sync-progress');
		await expect.poll(() => network.holding, { timeout: 60_000 }).toBe(true);
		const [received, total] = [network.passed, EXTRA + DEMO_RANA];
		await expect(progress).toHaveText(`Henter planer: ${received} av ${total}`);
		expect(received).toBeGreaterThanOrEqual(0.6 * total);
		expect(received).toBeLessThan(total);
		const rows = page.getByTestId('patient-row');
		await expect(rows.first()).toBeVisible();
		const someone = (await rows.first().getByRole('link').textContent())!.trim();
		await page.getByLabel('Søk etter pasient').fill(someone);
		await expect(page.getByTestId('list-count')).toHaveText(`Viser 1 av ${received} pasienter`);
		await expect(rows.filter({ visible: true })).toHaveCount(1);
		await expect(rows.filter({ visible: true })).toContainText(someone);
		expect(await wcagViolations(page)).toEqual([]);
		await page.getByLabel('Søk etter pasient').fill('');

		// The network goes, then comes back.
		await context.setOffline(true);
		await expect(page.getByTestId('connectivity')).toHaveText('Frakoblet – alt lagres på nettbrettet');
		const beforeBack = (await progressSeen(page)).length;
		network.hold = () => false;
		await context.setOffline(false);

		// Everything arrives, and only what was missing was asked for again.
		await expect(rows).toHaveCount(total, { timeout: 120_000 });
		await expect(progress).toBeHidden();
		await expect(page.getByTestId('last-synced')).toContainText('Sist synkronisert');
		expect(network.fetched.flat()).toHaveLength(total - received);

		// After the reconnect the progress line counted on from what the tablet already held, never from zero.
		const after = (await progressSeen(page)).slice(beforeBack).map(counted);
		expect(after.length).toBeGreaterThan(0);
		for (const c of after) {
			expect(c).not.toBeNull();
			expect(c![0]).toBeGreaterThanOrEqual(received);
			expect(c![1]).toBe(total);
		}
		expect(await wcagViolations(page)).toEqual([]);
	} finally {
		await server.dispose();
	}
});
