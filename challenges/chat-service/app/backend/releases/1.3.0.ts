import { startBackend } from '../api.js';

startBackend({ bodyEncoding: 'utf8', idempotent: false, healthChecksDatabase: false });
