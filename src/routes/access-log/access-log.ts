/** One line of the access log as the register's API sends it. */
export type AccessLine = {
	at: string;
	action: string;
	detail: string;
	basis: string;
	who: { name: string; role: string; organisation: string | null };
	reportedLater: boolean;
};

/** The system an access came through, when not the app (an EHR through the FHIR API): the line's detail ends `via <system> (<client>)`. */
export function viaOf(line: Pick<AccessLine, 'detail'>): string | null {
	return /(?:^|; )via (.+)$/.exec(line.detail)?.[1] ?? null;
}

/** A patient's access log as read so far: the pages fetched, the cursor of the next, and every emergency access. */
export type AccessLog = { patientId: string; entries: AccessLine[]; next: string | null; emergency: AccessLine[] };

/** Why the log cannot be shown. */
export type AccessLogProblem = 'offline' | 'not-allowed' | 'unavailable';

/** One page of a patient's log from the register (`before`: the cursor of the page to continue after). */
export async function fetchAccessLog(patientId: string, before: string | null = null): Promise<AccessLog | AccessLogProblem> {
	let response: Response;
	try {
		response = await fetch(`/api/access-log/${patientId}${before ? `?before=${encodeURIComponent(before)}` : ''}`, { cache: 'no-store' });
	} catch {
		return 'offline';
	}
	if (response.status === 401 || response.status === 403) return 'not-allowed';
	if (!response.ok) return 'unavailable';
	const body = (await response.json()) as { patientId: string; entries: AccessLine[]; next?: string | null; emergency?: AccessLine[] | null };
	return { patientId: body.patientId, entries: body.entries, next: body.next ?? null, emergency: body.emergency ?? [] };
}
