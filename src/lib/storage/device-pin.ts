import { isPinFormat } from '$lib/domain/pin';
import type { DbepDb, PinRow } from './db';

/** Wrong PINs in a row after which the device forgets the PIN: a full login (online) is then needed. */
export const MAX_PIN_ATTEMPTS = 5;
/** PBKDF2-SHA-256 iterations (OWASP's 2023 figure): a few hundred milliseconds on a tablet per try. */
const ITERATIONS = 600_000;

/** What a PIN typed at the lock screen opened: the device, nothing (with the attempts left), or nothing ever again (forgotten). */
export type PinCheck = { result: 'unlocked' } | { result: 'wrong'; attemptsLeft: number } | { result: 'forgotten' } | { result: 'no-pin' };

const encoder = new TextEncoder();

/** The PBKDF2 hash of the user's id and PIN: the same PIN of another user gives another hash. */
async function derive(userId: string, pin: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
	const key = await crypto.subtle.importKey('raw', encoder.encode(`${userId}\n${pin}`), 'PBKDF2', false, ['deriveBits']);
	return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
	return diff === 0;
}

/** A stored row as written by this version, or null (a damaged row is not trusted: the PIN counts as forgotten). */
function checked(row: PinRow | undefined): PinRow | null {
	if (!row) return null;
	const ok = row.salt instanceof Uint8Array && row.hash instanceof Uint8Array && row.hash.length === 32 && Number.isInteger(row.iterations) && row.iterations >= 100_000 && Number.isInteger(row.failures) && row.failures >= 0;
	return ok ? row : null;
}

/**
 * The device PIN that unlocks the app after inactivity, without network: only a salted hash is
 * stored, bound to the user id, in the device's database (wiped with it at logout).
 */
export class DevicePin {
	constructor(readonly db: DbepDb) {}

	/** Whether `userId` has chosen a PIN on this device (a damaged row counts as none chosen, and is removed). */
	async has(userId: string): Promise<boolean> {
		const row = await this.db.pins.get(userId);
		if (row && !checked(row)) await this.db.pins.delete(userId);
		return checked(row) !== null;
	}

	/** Stores a new PIN for `userId`, replacing any earlier one. The PIN must have the PIN form (a programmer error otherwise). */
	async choose(userId: string, pin: string): Promise<void> {
		if (!isPinFormat(pin)) throw new Error('a device PIN is 4 to 6 digits');
		const salt = crypto.getRandomValues(new Uint8Array(16));
		const hash = await derive(userId, pin, salt, ITERATIONS);
		await this.db.pins.put({ userId, salt, hash, iterations: ITERATIONS, failures: 0 });
	}

	/** Checks a PIN typed at the lock screen, counting wrong ones; the fifth wrong one in a row deletes the PIN. */
	async check(userId: string, pin: string): Promise<PinCheck> {
		const row = checked(await this.db.pins.get(userId));
		if (!row) return { result: 'no-pin' };
		const hash = await derive(userId, pin, new Uint8Array(row.salt), row.iterations);
		return this.db.transaction('rw', this.db.pins, async (): Promise<PinCheck> => {
			// Read again: another tab may have counted a wrong PIN meanwhile.
			const now = checked(await this.db.pins.get(userId));
			if (!now) return { result: 'no-pin' };
			if (equal(hash, now.hash)) {
				if (now.failures) await this.db.pins.update(userId, { failures: 0 });
				return { result: 'unlocked' };
			}
			const failures = now.failures + 1;
			if (failures >= MAX_PIN_ATTEMPTS) {
				await this.db.pins.delete(userId);
				return { result: 'forgotten' };
			}
			await this.db.pins.update(userId, { failures });
			return { result: 'wrong', attemptsLeft: MAX_PIN_ATTEMPTS - failures };
		});
	}

	/** Forgets every PIN on this device. */
	async forgetAll(): Promise<void> {
		await this.db.pins.clear();
	}
}
