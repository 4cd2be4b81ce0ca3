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
		alias: { $fixtures: 'src/lib/fixtures' },
		// Health data on screen: nothing but the app's own code runs, connects or frames it. Kit adds
		// the hashes of its own inline bootstrap script; Automerge compiles its wasm ('wasm-unsafe-eval').
		// Styles stay 'unsafe-inline' for style attributes (Svelte's style: directives, Designsystemet).
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'style-src': ['self', 'unsafe-inline'],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'worker-src': ['self'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none']
			}
		}
	}
};

export default config;
