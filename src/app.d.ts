// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
	namespace App {
		interface Error {
			message: string;
		}
		interface Locals {
			/** The logged-in user of an `/api/*` request, set by the `handle` hook (which refuses requests without one). */
			user?: import('$lib/server/access/users').User;
		}
		interface PageState {
			/** Set by the plan's "Skriv ut": the print view opens the print dialog once it shows the plan. */
			print?: boolean;
		}
	}
}

export {};
