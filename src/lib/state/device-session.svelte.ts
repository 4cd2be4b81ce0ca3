import { choosePinProblem, type PinProblem } from '$lib/domain/pin';
import { device } from '$lib/device';
import { DevicePin, type PinCheck } from '$lib/storage/device-pin';
import { unsentChanges, wipeDevice, type UnsentPatient } from '$lib/storage/device-wipe';
import { account } from './account.svelte';
import { deviceStatus } from './device-status.svelte';
import { forgetEmergencies } from './emergency';

/**
 * How long the app stays open without a touch or a key press: after 5 minutes it locks, hiding
 * all patient data until the device PIN is typed (no network needed). Shared by the device's tabs.
 */
export const LOCK_AFTER_MS = 5 * 60_000;
/** How often the lock and the session's expiry are looked at. */
const TICK_MS = 5_000;
const LAST_ACTIVE = 'dbep.last-active';
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** What the app shows: nothing yet, the login screen, choosing a PIN, the lock screen, or the app. */
export type Screen = 'checking' | 'login' | 'choose-pin' | 'locked' | 'open';

function lastActiveStored(): number {
	try {
		return Number(localStorage.getItem(LAST_ACTIVE) ?? 0) || 0;
	} catch {
		return 0;
	}
}

/**
 * The device session around the pages: a valid login (offline too, until it expires), a device
 * PIN chosen after the first login, the inactivity lock, and logout that wipes the device.
 */
class DeviceSession {
	/** The clock the lock and the expiry are judged by, moved on every few seconds. */
	now = $state(Date.now());
	lastActive = $state(lastActiveStored());
	/** Whether the logged-in user has a PIN on this device; null until read. */
	hasPin = $state<boolean | null>(null);
	/** The user `hasPin` was read for. */
	pinOf = $state<string | null>(null);
	#started = false;
	#channel: BroadcastChannel | null = null;

	readonly screen: Screen = $derived.by(() => {
		if (!account.checked) return 'checking';
		if (account.loginReason(this.now) !== null) return 'login';
		if (this.hasPin === null || this.pinOf !== account.user?.id) return 'checking';
		if (!this.hasPin) return 'choose-pin';
		return this.now - this.lastActive >= LOCK_AFTER_MS ? 'locked' : 'open';
	});

	/** Checks the session, follows activity, the clock, the network and the other tabs. Browser only. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		const tick = () => (this.now = Date.now());
		setInterval(tick, TICK_MS);
		addEventListener('visibilitychange', tick);
		for (const type of ACTIVITY) addEventListener(type, () => this.#active(), { passive: true, capture: true });
		addEventListener('storage', (e) => {
			if (e.key === LAST_ACTIVE) this.lastActive = lastActiveStored();
		});
		addEventListener('online', () => void this.#refresh());
		const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('dbep-session') : null;
		// Another tab logged out and wiped the device: this one must not keep showing what it had.
		channel?.addEventListener('message', () => location.assign('/'));
		this.#channel = channel;
		void this.#refresh();
	}

	async #refresh(): Promise<void> {
		// The remembered account is known at once; the server's answer may take long on a poor network.
		const asked = account.refresh();
		await this.#readPin();
		await asked;
		if (account.renewed) {
			account.renewed = false;
			// A fresh login is the user at the device: no PIN needed right after it.
			this.#touch();
		}
		await this.#readPin();
		this.now = Date.now();
	}

	async #readPin(): Promise<void> {
		const user = account.user;
		if (!user || user.id === this.pinOf) return;
		const { db } = await device();
		this.hasPin = await new DevicePin(db).has(user.id);
		this.pinOf = user.id;
	}

	#touch(): void {
		this.lastActive = this.now = Date.now();
		try {
			localStorage.setItem(LAST_ACTIVE, String(this.lastActive));
		} catch {
			// Private mode: this tab only.
		}
	}

	#active(): void {
		if (this.screen !== 'open') return;
		// Written at most every few seconds: a swipe fires many events.
		if (Date.now() - this.lastActive > 2_000) this.#touch();
	}

	/** Stores the PIN the user chose (typed twice); the problem when it cannot be used. */
	async choosePin(pin: string, repeat: string): Promise<PinProblem | null> {
		const problem = choosePinProblem(pin, repeat);
		const user = account.user;
		if (problem || !user) return problem;
		const { db } = await device();
		await new DevicePin(db).choose(user.id, pin);
		this.#touch();
		this.hasPin = true;
		return null;
	}

	/** Locks the app now (the user leaves the tablet). */
	lock(): void {
		this.lastActive = 0;
		try {
			localStorage.setItem(LAST_ACTIVE, '0');
		} catch {
			// Private mode: this tab only.
		}
		this.now = Date.now();
	}

	/** Checks a PIN at the lock screen; the fifth wrong one in a row forgets it and ends the session on this device. */
	async unlock(pin: string): Promise<PinCheck> {
		const user = account.user;
		if (!user) return { result: 'no-pin' };
		const { db } = await device();
		const check = await new DevicePin(db).check(user.id, pin);
		if (check.result === 'unlocked') this.#touch();
		if (check.result === 'forgotten' || check.result === 'no-pin') {
			this.hasPin = false;
			deviceStatus.disconnect();
			// Unsent changes stay on the device: they are sent after the next login.
			await account.end('locked-out');
		}
		return check;
	}

	/** The patients whose unsent changes a logout now would delete. */
	async unsent(): Promise<UnsentPatient[]> {
		return unsentChanges((await device()).db);
	}

	/**
	 * Logs out and wipes this device's health data (documents, views, PINs, the remembered
	 * account). The caller has warned about `unsent()` and the user confirmed.
	 */
	async logOut(): Promise<void> {
		deviceStatus.disconnect();
		const { db } = await device();
		await wipeDevice(db);
		this.#channel?.postMessage('ended');
		try {
			localStorage.removeItem(LAST_ACTIVE);
			forgetEmergencies();
		} catch {
			// Nothing stored.
		}
		await account.end('logout');
		location.assign('/');
	}
}

export const deviceSession = new DeviceSession();
