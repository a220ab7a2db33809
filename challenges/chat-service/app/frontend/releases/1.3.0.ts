import { startFrontend } from '../serve.js';

startFrontend({ showTimes: false, rememberName: false });
