import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	// Automerge loads its wasm through import.meta.url; pre-bundling breaks that in `vite dev`.
	optimizeDeps: { exclude: ['@automerge/automerge'] },
	build: { target: 'es2022' },
	test: {
		include: ['src/**/*.test.ts'],
		environment: 'node',
		setupFiles: ['src/lib/test-setup.ts']
	}
});
