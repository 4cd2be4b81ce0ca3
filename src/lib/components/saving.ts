import type { WriteProblem } from '$lib/storage/doc-store';

/** What a save hands back to its form: why nothing was saved, or null once it is. */
export type Saving = Promise<WriteProblem | null>;
