import { startFrontend } from '../serve.js';

startFrontend({ showTimes: true, rememberName: true });
