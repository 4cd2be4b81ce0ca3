import { describe, expect, it } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import { clinicians, pal, solveig } from '$lib/fixtures';
import { demoUsers } from '$lib/server/access/users';
import { OPENED_PER_MESSAGE, OPENED_PER_MINUTE } from './openings';
import { freshDevice, harnessesPerTest } from './test-support';

const open = harnessesPerTest();
const ranaNurse = demoUsers.find((u) => u.id === clinicians.ranaNurse.id)!;
const palPlan = planDocId(pal.patientId);
const hoursAgo = (h: number) => new Date(Math.floor(Date.now() / 1000) * 1000 - h * 3_600_000).toISOString();

describe('SyncHub: "opened" reports, bounded', () => {
	it('takes at most a batch of reports per message and leaves the rest unacknowledged, to be sent again', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const reports = Array.from({ length: OPENED_PER_MESSAGE + 50 }, (_, i) => ({ id: i + 1, docId: i % 2 ? palPlan : planDocId(solveig.patientId), at: hoursAgo(2) }));
		rana.send({ type: 'opened', docs: reports });
		await rana.settle();
		expect(rana.received('logged').flatMap((m) => m.ids)).toEqual(reports.slice(0, OPENED_PER_MESSAGE).map((r) => r.id));
		rana.send({ type: 'opened', docs: reports.slice(OPENED_PER_MESSAGE) });
		await rana.settle();
		expect(rana.received('logged').flatMap((m) => m.ids)).toEqual(reports.map((r) => r.id));
		// Sent in two messages, the same opening of each plan is still one line.
		expect((await h.store.audit(pal.patientId)).filter((e) => e.reportedLater)).toHaveLength(1);
	});

	it('takes no more than a minute’s budget of reports from one session', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const messages = Math.ceil(OPENED_PER_MINUTE / OPENED_PER_MESSAGE) + 2;
		for (let m = 0; m < messages; m++) {
			const docs = Array.from({ length: OPENED_PER_MESSAGE }, (_, i) => ({ id: m * OPENED_PER_MESSAGE + i + 1, docId: palPlan, at: hoursAgo(20 - (m * OPENED_PER_MESSAGE + i) / 60) }));
			rana.send({ type: 'opened', docs });
		}
		await rana.settle();
		expect(rana.received('logged').flatMap((m) => m.ids)).toHaveLength(OPENED_PER_MINUTE);
		expect(rana.received('logged').slice(-2)).toEqual([
			{ type: 'logged', ids: [] },
			{ type: 'logged', ids: [] }
		]);
	});

	it('logs an opening dated in the future, or longer ago than a login lasts, at the time it arrived', async () => {
		const h = await open();
		const rana = await freshDevice(h, 'rana-tablet', ranaNurse);
		const before = Date.now();
		rana.send({
			type: 'opened',
			docs: [
				{ id: 1, docId: palPlan, at: hoursAgo(3 * 24) },
				{ id: 2, docId: planDocId(solveig.patientId), at: hoursAgo(-24) }
			]
		});
		await rana.settle();
		const lines = [...(await h.store.audit(pal.patientId)), ...(await h.store.audit(solveig.patientId))].filter((e) => e.reportedLater);
		expect(lines).toHaveLength(2);
		for (const line of lines) expect(Date.parse(line.at)).toBeGreaterThanOrEqual(before - 1000);
	});
});
