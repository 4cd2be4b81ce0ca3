// Small helpers the benchmarks print their figures with.

export function median(xs: readonly number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	if (!s.length) return NaN;
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** `median (min–max)` in the unit `format` gives. */
export function spread(xs: readonly number[], format: (n: number) => string): string {
	if (!xs.length) return '—';
	return `${format(median(xs))} (${format(Math.min(...xs))}–${format(Math.max(...xs))})`;
}

export const ms = (n: number) => `${n.toFixed(0)} ms`;
export const s = (n: number) => `${(n / 1000).toFixed(2)} s`;
export const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Prints rows as a Markdown table, so the output can go into a note as it is. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
	const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
	return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
