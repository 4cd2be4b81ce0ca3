import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pal } from '$lib/fixtures';
import { relatives } from '$lib/fixtures';
import type { DocumentStore } from '$lib/server/store';
import { openHarness, type Harness } from '$lib/server/sync/test-support';
import { demoAccounts, demoDirectory, type PatientDirectory } from './directory';
import { SESSION_COOKIE, SESSION_SECONDS } from './session-cookie';
import { serverSessions, sessionKey } from './sessions';

let h: Harness;
let store: DocumentStore;
beforeEach(async () => {
	h = await openHarness();
	store = h.store;
});
afterEach(async () => h.cleanup());

const claimsOf = (id: string) => demoAccounts().find((a) => a.user.id === id)!.claims;
const cookie = (token: string) => `other=1; ${SESSION_COOKIE}=${token}`;
const t0 = Date.parse('2026-11-20T06:00:00.000Z');

describe('server sessions', () => {
	it('keeps only the token’s hash in the register, and answers the user while the login lasts', async () => {
		const sessions = serverSessions(store, demoDirectory);
		const started = (await sessions.start(claimsOf(relatives.palDaughter.id), t0))!;
		expect(started.user.patients).toEqual([pal.patientId]);
		const stored = await store.session(sessionKey(started.token));
		expect(stored).toMatchObject({ userId: relatives.palDaughter.id, endedAt: null });
		expect(JSON.stringify(stored)).not.toContain(started.token);
		expect(await sessions.open(cookie(started.token), t0 + 60_000)).toEqual({ user: started.user, exp: started.exp });
		expect(await sessions.open(cookie(started.token), (started.exp - 1) * 1000)).not.toBe('invalid');
		expect(await sessions.open(cookie(started.token), started.exp * 1000)).toBe('invalid');
		expect(started.exp).toBe(Math.floor(t0 / 1000) + SESSION_SECONDS);
	});

	it('ends a login for good at logout: the same cookie, copied anywhere, opens nothing', async () => {
		const sessions = serverSessions(store, demoDirectory);
		const { token } = (await sessions.start(claimsOf(relatives.palDaughter.id), t0))!;
		const copy = cookie(token);
		await sessions.end(cookie(token), t0 + 1000);
		expect(await sessions.open(copy, t0 + 2000)).toBe('invalid');
		expect(await sessions.user(copy, t0 + 2000)).toBe('invalid');
	});

	it('reads the proxy register again on every use: a revoked proxy loses the patient at once', async () => {
		let revoked = false;
		const directory: PatientDirectory = {
			patientsOf: (pid, role) => (revoked && role === 'relative' ? [] : demoDirectory.patientsOf(pid, role)),
			scopesOf: (pid) => (revoked ? [] : demoDirectory.scopesOf(pid))
		};
		const sessions = serverSessions(store, directory);
		const { token } = (await sessions.start(claimsOf(relatives.palDaughter.id), t0))!;
		revoked = true;
		const user = await sessions.user(cookie(token), t0 + 1000);
		expect(user).toMatchObject({ patients: [], scopes: [] });
	});

	it('tells no session from a forged or unknown one, and never asks the register about a malformed token', async () => {
		const sessions = serverSessions(store, demoDirectory);
		expect(await sessions.open(undefined)).toBeNull();
		expect(await sessions.open('other=1')).toBeNull();
		expect(await sessions.open(cookie('A'.repeat(43)))).toBe('invalid');
		expect(await sessions.open(cookie("x' OR 1=1 --"))).toBe('invalid');
		expect(await sessions.start({ sub: 'nobody', name: 'Uten Rolle' })).toBeNull();
	});
});
