import { describe, expect, it } from 'vitest';
import { clinicians, pal, relatives } from '$lib/fixtures';
import { ctxOf } from '$lib/fixtures/support';
import type { ItemId } from './ids';
import type { Plan } from './plan';
import { blockClinician, setRestricted, unblockClinician } from './plan-ops';
import { blockWarnings, parseAccessLog, privacyStateOf, RECENT_DAYS, type AccessLine } from './privacy';

const NOW = '2026-12-01T16:00:00.000Z';
const daughter = ctxOf(relatives.palDaughter, '2026-12-01T15:00:00.000Z');
const copy = (): Plan => structuredClone(pal.plan) as Plan;
const { altaNurse, ranaNurse, bodoGp } = clinicians;
const person = (c: typeof altaNurse) => ({ personId: c.id, name: c.name, organisation: c.organisation });

const line = (at: string, action: string, extra: Partial<AccessLine> = {}): AccessLine => ({ at, action, who: { name: altaNurse.name, organisation: altaNurse.organisation }, ...extra });

describe('privacyStateOf', () => {
	it('says an unrestricted plan with nobody blocked is open to emergency access, and what the log shows', () => {
		const state = privacyStateOf(copy(), { ok: true, entries: [] }, NOW);
		expect(state).toEqual({ restricted: false, blocked: 0, emergency: { known: true, recent: 0, last: null, running: false } });
	});

	it('counts active blocks only, and reads the restriction', () => {
		const plan = copy();
		blockClinician(plan, '00000000-0000-4000-8000-0000000000b1' as ItemId, person(altaNurse), daughter);
		blockClinician(plan, '00000000-0000-4000-8000-0000000000b2' as ItemId, person(ranaNurse), daughter);
		unblockClinician(plan, '00000000-0000-4000-8000-0000000000b2' as ItemId, daughter);
		setRestricted(plan, true, daughter);
		expect(privacyStateOf(plan, { ok: true, entries: [] }, NOW)).toMatchObject({ restricted: true, blocked: 1 });
	});

	it('treats a plan made before privacy choices as unrestricted with nobody blocked', () => {
		const plan = copy();
		delete plan.privacy;
		expect(privacyStateOf(plan, { ok: false, why: 'offline' }, NOW)).toEqual({ restricted: false, blocked: 0, emergency: { known: false, why: 'offline' } });
	});

	it('finds the latest emergency access granted, whether it still runs, and how many in the last days', () => {
		const entries = [
			line('2026-12-01T15:10:00.000Z', 'read', { until: undefined }),
			line('2026-12-01T15:05:00.000Z', 'emergency-access', { until: '2026-12-01T17:05:00.000Z' }),
			line('2026-11-20T10:00:00.000Z', 'emergency-access', { until: '2026-11-20T12:00:00.000Z' }),
			line('2026-10-01T10:00:00.000Z', 'emergency-access', { until: '2026-10-01T12:00:00.000Z' }),
			line('2026-11-25T10:00:00.000Z', 'emergency-denied')
		];
		expect(privacyStateOf(copy(), { ok: true, entries }, NOW).emergency).toEqual({
			known: true,
			recent: 2,
			last: { name: altaNurse.name, organisation: altaNurse.organisation, at: '2026-12-01T15:05:00.000Z', until: '2026-12-01T17:05:00.000Z' },
			running: true
		});
		expect(RECENT_DAYS).toBe(30);
	});

	it('says an access that has ended is not running, and an old one is not recent', () => {
		const entries = [line('2026-10-01T10:00:00.000Z', 'emergency-access', { until: '2026-10-01T12:00:00.000Z' })];
		expect(privacyStateOf(copy(), { ok: true, entries }, NOW).emergency).toMatchObject({ known: true, recent: 0, running: false, last: { at: '2026-10-01T10:00:00.000Z' } });
	});

	it('restricting ends running emergency access: a restricted plan reports none running', () => {
		const plan = copy();
		setRestricted(plan, true, daughter);
		const entries = [line('2026-12-01T15:05:00.000Z', 'emergency-access', { until: '2026-12-01T17:05:00.000Z' })];
		expect(privacyStateOf(plan, { ok: true, entries }, NOW).emergency).toMatchObject({ running: false, recent: 1 });
	});
});

describe('blockWarnings', () => {
	it('warns that the GP is on the care team and responsible for Pål’s plan', () => {
		expect(blockWarnings(pal.plan, bodoGp.id)).toEqual({ member: { name: bodoGp.name, role: 'gp' }, responsible: true });
	});

	it('warns that the Rana nurse is on the care team, not responsible', () => {
		expect(blockWarnings(pal.plan, ranaNurse.id)).toEqual({ member: { name: ranaNurse.name, role: 'home-care' }, responsible: false });
	});

	it('has nothing to warn about a clinician outside the team, or one whose membership ended', () => {
		expect(blockWarnings(pal.plan, altaNurse.id)).toEqual({ member: null, responsible: false });
		const plan = copy();
		for (const m of Object.values(plan.careTeam)) if (m.personId === ranaNurse.id) m.active = false;
		expect(blockWarnings(plan, ranaNurse.id)).toEqual({ member: null, responsible: false });
	});
});

describe('parseAccessLog', () => {
	it('takes the register’s answer and keeps the fields it needs', () => {
		const body = { patientId: pal.patientId, entries: [{ at: '2026-12-01T15:05:00.000Z', action: 'emergency-access', basis: 'emergency', detail: 'x', reportedLater: false, until: '2026-12-01T17:05:00.000Z', who: { name: 'A', role: 'home-care', organisation: null } }] };
		expect(parseAccessLog(body)).toEqual([{ at: '2026-12-01T15:05:00.000Z', action: 'emergency-access', until: '2026-12-01T17:05:00.000Z', who: { name: 'A', organisation: null } }]);
	});

	it('refuses anything else', () => {
		for (const body of [null, 'x', {}, { entries: 'x' }, { entries: [{ at: 1, action: 'read', who: { name: 'A' } }] }, { entries: [{ at: 'x', action: 'read' }] }]) expect(parseAccessLog(body), JSON.stringify(body)).toBeNull();
	});
});
