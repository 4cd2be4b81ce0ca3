/**
 * Whether a state-changing request comes from a page of this app. SvelteKit's own CSRF check
 * covers only form content types, so a cross-site `fetch(url, { method: 'POST' })` with no
 * content type passes it; browsers send `Origin` (and `Sec-Fetch-Site`) on every cross-origin
 * POST, so either tells. A request with neither is not from a browser page, the only place a
 * cross-site forgery can come from.
 */
export function fromOwnPage(headers: Headers, ownOrigin: string): boolean {
	const origin = headers.get('origin');
	if (origin !== null) return origin === ownOrigin;
	const site = headers.get('sec-fetch-site');
	return site === null || site === 'same-origin' || site === 'none';
}
