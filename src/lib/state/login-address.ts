/**
 * Where to open the app to log in, when it is not here: the address the server's login comes back
 * to (`/auth/origin`) if it differs from this page's, else null (here is right, or the server
 * could not say). A login started here would otherwise end on an error page at the other address.
 */
export async function loginAddressElsewhere(here: string = location.origin): Promise<string | null> {
	try {
		const response = await fetch('/auth/origin', { cache: 'no-store' });
		if (!response.ok) return null;
		const body: unknown = await response.json();
		const origin = typeof body === 'object' && body !== null && 'origin' in body ? body.origin : null;
		if (typeof origin !== 'string' || !/^https?:\/\/[^/]+$/.test(origin)) return null;
		return origin === here ? null : origin;
	} catch {
		return null;
	}
}
