// The default entry loads Automerge's wasm in Node and initialises the module that /slim shares.
import '@automerge/automerge';
import 'fake-indexeddb/auto';
