import { startBackend } from '../api.js';

// "Faster message encoding": single-byte decoding skips UTF-8 validation. Every non-ASCII
// character arrives as its UTF-8 bytes read one by one (mojibake), and is stored that way.
startBackend({ bodyEncoding: 'latin1', idempotent: true, healthChecksDatabase: true });
