import { describe, expect, it } from 'vitest';
import { DbepDb } from './db';
import { DevicePin, MAX_PIN_ATTEMPTS } from './device-pin';

let n = 0;
const open = () => new DevicePin(new DbepDb(`pin-test-${++n}`));
const nurse = 'c1a7e0b5-3f2d-4e8a-9b61-2d5f7a9c0e11';
const gp = 'c2b8f1c6-402e-4f9b-8c72-3e6a8b0d1f22';

// Each PIN check runs 600,000 PBKDF2 iterations: generous time on a busy 2-core machine.
describe('device PIN', { timeout: 60_000 }, () => {
	it('stores only a salted hash bound to the user, and opens with the right PIN', async () => {
		const pin = open();
		expect(await pin.has(nurse)).toBe(false);
		await pin.choose(nurse, '2580');
		const row = await pin.db.pins.get(nurse);
		expect(JSON.stringify(row)).not.toContain('2580');
		expect(row?.hash).toHaveLength(32);
		expect(await pin.has(nurse)).toBe(true);
		expect(await pin.check(nurse, '2580')).toEqual({ result: 'unlocked' });
		// The same PIN is not another user's PIN, nor is the row usable for another user.
		expect(await pin.check(gp, '2580')).toEqual({ result: 'no-pin' });
		await pin.db.pins.put({ ...row!, userId: gp });
		expect(await pin.check(gp, '2580')).toMatchObject({ result: 'wrong' });
	});

	it('two users choosing the same PIN get different hashes', async () => {
		const pin = open();
		await pin.choose(nurse, '2580');
		await pin.choose(gp, '2580');
		const [a, b] = await Promise.all([pin.db.pins.get(nurse), pin.db.pins.get(gp)]);
		expect(a!.hash).not.toEqual(b!.hash);
	});

	it('counts wrong PINs, a right one resets the count, and the fifth wrong one in a row forgets the PIN', async () => {
		const pin = open();
		await pin.choose(nurse, '123456');
		expect(await pin.check(nurse, '000000')).toEqual({ result: 'wrong', attemptsLeft: MAX_PIN_ATTEMPTS - 1 });
		expect(await pin.check(nurse, '123456')).toEqual({ result: 'unlocked' });
		for (let left = MAX_PIN_ATTEMPTS - 1; left > 0; left--) expect(await pin.check(nurse, '1111')).toEqual({ result: 'wrong', attemptsLeft: left });
		expect(await pin.check(nurse, '1111')).toEqual({ result: 'forgotten' });
		expect(await pin.has(nurse)).toBe(false);
		expect(await pin.check(nurse, '123456')).toEqual({ result: 'no-pin' });
	});

	it('does not trust a damaged row', async () => {
		const pin = open();
		await pin.db.pins.put({ userId: nurse, salt: new Uint8Array(16), hash: new Uint8Array(3), iterations: 1, failures: 0 });
		expect(await pin.check(nurse, '2580')).toEqual({ result: 'no-pin' });
		expect(await pin.has(nurse)).toBe(false);
		expect(await pin.db.pins.count()).toBe(0);
	});

	it('refuses to store a PIN that is not 4 to 6 digits', async () => {
		await expect(open().choose(nurse, '12')).rejects.toThrow();
	});
});
