// Client-rendered: the service worker answers every navigation with the app shell when offline.
export const ssr = false;
export const prerender = false;
