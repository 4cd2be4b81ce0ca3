import * as Automerge from '@automerge/automerge';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { planDocId } from '$lib/domain/ids';
import type { Plan } from '$lib/domain/plan';
import { pal } from '$lib/fixtures';
import { TestDevice } from './test-device';
import { openHarness, sorted, storedDoc } from './test-support';

const palPlan = planDocId(pal.patientId);
type Op = { kind: 'edit' | 'sync' | 'reconnect'; device: number } | { kind: 'wait'; turns: number };

const op: fc.Arbitrary<Op> = fc.oneof(
	fc.record({ kind: fc.constantFrom('edit' as const, 'sync' as const, 'reconnect' as const), device: fc.integer({ min: 0, max: 2 }) }),
	fc.record({ kind: fc.constant('wait' as const), turns: fc.integer({ min: 0, max: 5 }) })
);

let run = 0;

it('brings every device and the register to the same document, whatever the interleaving of edits, syncs and reconnects', { timeout: 60 * 60_000 }, async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
			run++;
			// A fresh register per run: one document growing over every run would make each run slower than the last.
			const h = await openHarness({ log: () => undefined });
			try {
				const devices = [0, 1, 2].map((i) => new TestDevice(`prop-${run}-${i}`).connect(h.hub));
				devices.forEach((d) => d.hello());
				await Promise.all(devices.map((d) => d.settle()));
				const edits: string[] = [];
				for (const o of ops) {
					if (o.kind === 'wait') {
						for (let i = 0; i < o.turns; i++) await new Promise((resolve) => setImmediate(resolve));
						continue;
					}
					const device = devices[o.device] as TestDevice;
					if (o.kind === 'edit') {
						// An item id, as the register's schema wants every key of a collection to be.
						const key = `00000000-0000-4000-8000-${String(edits.length).padStart(12, '0')}`;
						edits.push(key);
						device.change<Plan>(palPlan, (d) => void (d.whatMatters[key] = { id: key, text: key, writtenAs: 'patient', by: { name: 'Test', role: 'patient', organisation: null }, at: '2025-01-01T00:00:00.000Z', status: 'active' } as Plan['whatMatters'][string]));
					} else if (o.kind === 'sync') device.sync([palPlan]);
					else {
						device.connect(h.hub);
						device.hello();
					}
				}
				for (const d of devices) {
					d.connect(h.hub);
					d.hello();
					d.sync([palPlan]);
				}
				for (let round = 0; round < 4; round++) await Promise.all(devices.map((d) => d.settle()));
				const server = await storedDoc<Plan>(h.store, palPlan);
				for (const key of edits) expect(server.whatMatters[key]?.text).toBe(key);
				for (const d of devices) expect(sorted(Automerge.getHeads(d.docs.get(palPlan) ?? Automerge.init()))).toEqual(sorted(Automerge.getHeads(server)));
				devices.forEach((d) => d.disconnect());
			} finally {
				await h.cleanup();
			}
		}),
		{ numRuns: Number(process.env.PROPERTY_RUNS ?? 25) }
	);
});
