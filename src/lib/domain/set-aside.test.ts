import { describe, expect, it } from 'vitest';
import { pal } from '$lib/fixtures';
import type { MeasureLog, Plan } from './plan';
import { describeChanges } from './set-aside';

const before = structuredClone(pal.plan) as Plan;

describe('describeChanges', () => {
	it('names each touched item once, new or changed, by its title or text', () => {
		const after = structuredClone(before);
		after.measures[pal.measures.eyeDrops]!.title = 'Øyedråper morgen og kveld';
		after.comments['c1'] = { id: 'c1' as never, text: `  Lang   merknad ${'x'.repeat(200)}`, by: before.responsible.by, at: before.createdAt, status: 'active' };
		const notes = describeChanges('plan', before, after, [
			['measures', pal.measures.eyeDrops, 'title', 0],
			['measures', pal.measures.eyeDrops, 'title', 12],
			['comments', 'c1'],
			['comments', 'c1', 'text', 0],
			['responsible', 'value']
		]);
		expect(notes.map((n) => [n.area, n.action, n.label.length > 50 ? `${n.label.slice(0, 15)}…${n.label.length}` : n.label])).toEqual([
			['measures', 'changed', 'Øyedråper morgen og kveld'],
			['comments', 'added', 'Lang merknad xx…140'],
			['responsible', 'changed', '']
		]);
	});

	it('tells a comment on a measure apart from the measure, and counts everything as new without a register version', () => {
		const notes = describeChanges('plan', null, before, [['measures', pal.measures.eyeDrops, 'comments', pal.comments.dropsGivenByHomeCare, 'text']]);
		expect(notes).toEqual([{ area: 'measureComments', action: 'added', label: before.measures[pal.measures.eyeDrops]!.comments[pal.comments.dropsGivenByHomeCare]!.text, id: pal.comments.dropsGivenByHomeCare }]);
	});

	it('names a log record by its measure and leaves out the log’s own fields', () => {
		const log: MeasureLog = {
			schema: 1,
			patientId: pal.patientId,
			month: '2026-10' as never,
			entries: { e1: { id: 'e1' as never, measureId: pal.measures.eyeDrops, at: '2026-10-05T08:00:00.000Z', slot: '08:00', outcome: 'done', note: '', reason: null, by: before.responsible.by, recordedAt: '2026-10-05T08:01:00.000Z' } }
		};
		expect(describeChanges('log', null, log, [['schema'], ['month'], ['entries', 'e1'], ['entries', 'e1', 'note']], before)).toEqual([{ area: 'records', action: 'added', label: 'Øyedråper daglig', id: 'e1' }]);
	});
});
