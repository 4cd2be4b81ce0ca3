/**
 * The addresses the app answers as itself, so that a login started at one comes back to it.
 *
 * With `ORIGIN` set (the public address, behind TLS and a proxy), that is the only one, and the
 * request's Host header is never used: behind a proxy it names the proxy's upstream, not the app.
 * Without `ORIGIN` (a server started on a laptop or a clinic's own machine), the app serves the
 * address it was reached at, but only when that address is one the server is bound to (the
 * loopback names and the machine's own interface addresses, at its port) or one an operator
 * listed in `DBEP_ALLOWED_HOSTS`. A Host header naming anything else (a DNS-rebinding page, a
 * forged header aimed at caches or redirects) never becomes a redirect URI or a link: such a
 * request is answered as the canonical origin, where a login cannot complete, and the login
 * screen says where to open the app instead.
 */
export type ServedOrigins = {
	/** ORIGIN, else http://localhost:<port> (or the bound address): the provider's issuer and the address the login points to. */
	canonical: string;
	/** Every origin served as the app's own, the canonical one first. */
	all: readonly string[];
	/** True with ORIGIN set: the request's address never decides anything. */
	fixed: boolean;
};

/** What decides the served origins: the process's environment and the machine's interface addresses. */
export type OriginSettings = {
	ORIGIN?: string | undefined;
	PORT?: string | undefined;
	HOST?: string | undefined;
	DBEP_ALLOWED_HOSTS?: string | undefined;
};

// A Host header: a DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
// Nothing else (no user info, path or spaces) can sneak into an origin built from it.
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?::\d{1,5})?$/i;
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]']);
const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** `http://<host>` for a well-formed host (with or without port), normalised as the browser would; null otherwise. */
function originOf(host: string): string | null {
	if (!HOST.test(host)) return null;
	try {
		return new URL(`http://${host}`).origin;
	} catch {
		return null;
	}
}

/** An interface address as it appears in a URL: IPv6 in brackets; link-local IPv6 (needing a zone) left out. */
function urlHost(address: string): string | null {
	if (!address.includes(':')) return address;
	return address.toLowerCase().startsWith('fe80:') ? null : `[${address}]`;
}

/**
 * The origins this server answers as its own (see `ServedOrigins`). Throws on a malformed ORIGIN
 * or DBEP_ALLOWED_HOSTS entry: a misconfigured server should not start and fail at every login.
 */
export function servedOrigins(settings: OriginSettings, interfaceAddresses: readonly string[], defaultPort: number): ServedOrigins {
	if (settings.ORIGIN) {
		const origin = new URL(settings.ORIGIN).origin;
		if (origin === 'null') throw new Error(`ORIGIN is not an http(s) origin: ${settings.ORIGIN}`);
		return { canonical: origin, all: [origin], fixed: true };
	}
	const port = settings.PORT ? Number(settings.PORT) : defaultPort;
	const bound = settings.HOST?.trim() ?? '';
	const own = urlHost(bound) ?? bound;
	const hosts = WILDCARD.has(bound)
		? [...LOOPBACK, ...interfaceAddresses.map(urlHost).filter((h): h is string => h !== null)]
		: LOOPBACK.includes(own)
			? LOOPBACK
			: [own];
	const listed = (settings.DBEP_ALLOWED_HOSTS ?? '')
		.split(',')
		.map((h) => h.trim())
		.filter(Boolean)
		.map((h) => (/:\d+$/.test(h) && !h.endsWith(']') ? h : `${h}:${port}`));
	const origins: string[] = [];
	for (const host of [...hosts.map((h) => `${h}:${port}`), ...listed]) {
		const origin = originOf(host);
		if (!origin) throw new Error(`DBEP_ALLOWED_HOSTS: not a host name or address: ${host}`);
		if (!origins.includes(origin)) origins.push(origin);
	}
	return { canonical: origins[0]!, all: origins, fixed: false };
}

/**
 * The origin a request reached with this Host header is served as: with ORIGIN set always that
 * one; otherwise the request's own when it is served, and null for any other host.
 */
export function servedOriginOf(host: string | undefined, origins: ServedOrigins): string | null {
	if (origins.fixed) return origins.canonical;
	const origin = host ? originOf(host.trim()) : null;
	return origin && origins.all.includes(origin) ? origin : null;
}
