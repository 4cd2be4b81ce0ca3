import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { planConflicts } from '$lib/domain/conflicts';
import { logDocId, planDocId, type Month } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { pal, withEditHistory } from '$lib/fixtures';
import { decodeSnapshotView } from '$lib/sync/snapshot-view';
import { VIEW_MIN_CHANGES } from './plan-view';
import { freshDevice, harnessesPerTest, sorted, storedDoc } from './test-support';

const palPlan = planDocId(pal.patientId);
const open = harnessesPerTest();

describe('the register keeps a long plan\'s view with its chunks', () => {
	it('commits the view of a plan past the threshold at its heads, and keeps it current through later edits', async () => {
		const h = await open();
		const device = await freshDevice(h);
		// A small plan (the demo's) has none: it parses fast, and a view would only add bytes.
		expect(await h.store.views([palPlan])).toEqual([]);

		device.docs.set(palPlan, withEditHistory(device.docs.get(palPlan) as Automerge.Doc<Plan>, VIEW_MIN_CHANGES, 7));
		device.sync([palPlan]);
		await device.settle();
		const expectCurrent = async () => {
			const stored = await storedDoc<Plan>(h.store, palPlan);
			const [row] = await h.store.manifest([pal.patientId]).then((m) => m.filter((d) => d.docId === palPlan));
			const [view] = await h.store.views([palPlan]);
			expect(sorted(view?.heads ?? [])).toEqual(sorted(row?.heads ?? ['none']));
			expect(sorted(Automerge.getHeads(stored))).toEqual(sorted(row!.heads));
			const decoded = decodeSnapshotView(view!.bytes, palPlan, row!.heads);
			expect(decoded.ok).toBe(true);
			if (decoded.ok) {
				expect(decoded.view.value).toEqual(Automerge.toJS(stored));
				expect(decoded.view.conflicts).toEqual(planConflicts(stored));
			}
			return stored;
		};
		expect(Automerge.stats(await expectCurrent()).numChanges).toBeGreaterThanOrEqual(VIEW_MIN_CHANGES);

		device.change<Plan>(palPlan, (d) => void (d.patient.municipality = 'Vefsn'));
		device.sync([palPlan]);
		await device.settle();
		expect((await expectCurrent()).patient.municipality).toBe('Vefsn');
		// A log never has one.
		expect(await h.store.views([logDocId(pal.patientId, '2026-11' as Month)])).toEqual([]);
	});
});
