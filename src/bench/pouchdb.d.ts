// The little of PouchDB's and express-pouchdb's interfaces the benchmark uses (neither ships types).
declare module 'pouchdb' {
	type Database = { bulkDocs(docs: object[]): Promise<unknown>; destroy(): Promise<void> };
	type Constructor = { new (name: string): Database; plugin(plugin: unknown): Constructor; defaults(options: { adapter: string }): Constructor };
	const PouchDB: Constructor;
	export default PouchDB;
}
declare module 'pouchdb-adapter-memory' {
	const plugin: unknown;
	export default plugin;
}
declare module 'express-pouchdb' {
	import type { RequestHandler } from 'express';
	export default function expressPouchDB(pouch: unknown, options: { mode: string; inMemoryConfig: boolean; logPath: string }): RequestHandler;
}
