/**
 * Starts `target.follow()` and returns its stop function at once, for `$effect` and `onMount`
 * cleanups: a view left before it finished opening stops following as soon as it has.
 */
export function follow(target: { follow(): Promise<() => void> }): () => void {
	let stop: (() => void) | undefined;
	let left = false;
	void target.follow().then((s) => {
		if (left) s();
		else stop = s;
	});
	return () => {
		left = true;
		stop?.();
	};
}
