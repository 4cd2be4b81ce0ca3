import { describe, expect, it } from 'vitest';
import { summarize } from '$lib/domain/worklist';
import { pal, solveig, syntheticPatients } from '$lib/fixtures';
import type { PatientListItem } from '$lib/storage/plan-repository';
import { shownPatients, worklist } from './worklist-order';

const item = (p: { plan: Parameters<typeof summarize>[0] }): PatientListItem => ({ ...summarize(p.plan, []), unsynced: false });
const items = [pal, solveig, ...syntheticPatients(40, 3)].map(item);
// A Wednesday morning in Oslo.
const NOW = '2026-11-25T07:00:00.000Z';

describe('shownPatients', () => {
	const rows = worklist(items, NOW);

	it('shows everyone for an empty search, and narrows by name, birth date or national ID', () => {
		expect(shownPatients(rows, '', false).size).toBe(items.length);
		expect([...shownPatients(rows, 'solveig nymoen', false)]).toEqual([solveig.patientId]);
		expect(shownPatients(rows, '19.06.1938', false).has(solveig.patientId)).toBe(true);
		expect([...shownPatients(rows, solveig.patient.nationalId ?? '', false)]).toEqual([solveig.patientId]);
	});

	it('keeps to patients with a visit today when asked, search and all', () => {
		const visits = shownPatients(rows, '', true);
		expect(visits.size).toBeGreaterThan(0);
		for (const row of rows) expect(visits.has(row.patient.patientId)).toBe(row.due.length > 0);
		expect(shownPatients(rows, 'Solveig Nymoen', true)).toEqual(new Set([solveig.patientId]));
	});
});

describe('worklist', () => {
	const ids = (rows: readonly { patient: PatientListItem }[]) => rows.map((r) => r.patient.patientId);

	it('keeps the rows of unchanged patients as they were and merges new ones into visit order', () => {
		const first = worklist(items.slice(0, 20), NOW);
		const changed = { ...items[3]!, name: 'Aase Aanonsen' };
		const next = [...items.slice(0, 20).map((i, n) => (n === 3 ? changed : i)), ...items.slice(20)];
		const merged = worklist(next, NOW, first);
		expect(ids(merged)).toEqual(ids(worklist(next, NOW)));
		for (const row of first) if (row.patient !== items[3]) expect(merged).toContain(row);
		expect(merged.find((r) => r.patient === changed)).toBeDefined();
		expect(merged.some((r) => r.patient === items[3])).toBe(false);
	});

	it('makes every row again when the time has moved on', () => {
		const first = worklist(items, NOW);
		const later = worklist(items, '2026-11-25T15:00:00.000Z', first);
		for (const row of later) expect(first).not.toContain(row);
	});
});
