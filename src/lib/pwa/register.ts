import { Workbox } from 'workbox-window';

/**
 * Registers SvelteKit's service worker through workbox-window. `onWaiting` is called when a new
 * version is installed and waiting; the function it receives activates it and reloads.
 */
export function registerServiceWorker(onWaiting: (activate: () => void) => void): void {
	if (!('serviceWorker' in navigator)) return;
	const wb = new Workbox('/service-worker.js');
	wb.addEventListener('waiting', () => {
		onWaiting(() => {
			wb.addEventListener('controlling', () => window.location.reload());
			wb.messageSkipWaiting();
		});
	});
	void wb.register();
}

/** Asks the browser to keep this origin's storage under pressure; unsynced work lives there. */
export async function requestPersistentStorage(): Promise<boolean> {
	try {
		if (await navigator.storage?.persisted?.()) return true;
		return (await navigator.storage?.persist?.()) ?? false;
	} catch {
		return false;
	}
}
