import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ out: 'build', precompress: false }),
		// The service worker is registered through workbox-window (src/lib/pwa), not by kit.
		serviceWorker: { register: false },
		// A cached shell served at a deep link must ask for /_app/..., never a relative path.
		paths: { relative: false },
		alias: { $fixtures: 'src/lib/fixtures' }
	}
};

export default config;
