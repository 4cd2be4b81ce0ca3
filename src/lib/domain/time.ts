/** Calendar helpers in Europe/Oslo. Pure: every function takes the instant it works on. */

const OSLO = 'Europe/Oslo';
const parts = new Intl.DateTimeFormat('en-GB', {
	timeZone: OSLO,
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	weekday: 'short',
	hourCycle: 'h23'
});
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The Oslo calendar date, time and ISO weekday (1 = Monday) of an instant. */
export function osloParts(instant: string | Date): { date: string; time: string; weekday: number } {
	const p = Object.fromEntries(parts.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
	return {
		date: `${p.year}-${p.month}-${p.day}`,
		time: `${p.hour}:${p.minute}`,
		weekday: WEEKDAYS[p.weekday ?? ''] ?? 1
	};
}

/** The Oslo month (`YYYY-MM`) of an instant. */
export function osloMonth(instant: string | Date): string {
	return osloParts(instant).date.slice(0, 7);
}

/** True for `HH:MM` on a 24-hour clock. */
export function isClockTime(value: string): boolean {
	return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** True for a real calendar date `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const d = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Whole years between a birth date and a calendar date. */
export function ageOn(birthDate: string, date: string): number {
	const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The instant of an Oslo wall-clock date and time (`YYYY-MM-DD`, `HH:MM`), as an ISO string. */
export function osloInstant(date: string, time: string): string {
	const wanted = Date.parse(`${date}T${time}:00Z`);
	let guess = wanted;
	for (let i = 0; i < 3; i++) {
		const p = osloParts(new Date(guess));
		const seen = Date.parse(`${p.date}T${p.time}:00Z`);
		if (seen === wanted) break;
		guess += wanted - seen;
	}
	return new Date(guess).toISOString();
}
