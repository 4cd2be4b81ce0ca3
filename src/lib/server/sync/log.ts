import type { DocumentId } from '$lib/domain/ids';
import type { SyncReason } from '$lib/sync/protocol';

/** What the hub reports: ids, counts and reason codes only, never document content or names. */
export type SyncLogEvent =
	| { event: 'session-opened' | 'session-closed'; session: number }
	| { event: 'session-dropped'; session: number; badFrames: number }
	| { event: 'access-changed'; session: number; why: string }
	| { event: 'refused'; session: number; reason: SyncReason; docId: DocumentId | null }
	| { event: 'commit-failed' | 'load-failed' | 'refresh-failed'; docId: DocumentId; error: string; session?: number }
	| { event: 'task-failed'; session: number; error: string }
	| { event: 'summary-skipped'; docId: DocumentId }
	/** A command given on the server (session 0): its name, and what became of it. */
	| { event: 'command'; docId: DocumentId; command: string; outcome: 'committed' | 'unchanged' | SyncReason }
	| { event: 'seeded'; docs: number };

/** Writes one line per event to the console: problems to stderr, the rest to stdout. */
export function consoleLog(event: SyncLogEvent): void {
	const line = `sync ${JSON.stringify(event)}`;
	if (event.event.endsWith('-failed') || event.event === 'session-dropped') console.error(line);
	else console.log(line);
}

/** An error's class and driver code (e.g. a PostgreSQL SQLSTATE), without its message, which may quote data. */
export function errorCode(error: unknown): string {
	if (!(error instanceof Error)) return typeof error;
	const code = (error as { code?: unknown }).code;
	return typeof code === 'string' ? `${error.name}:${code}` : error.name;
}
