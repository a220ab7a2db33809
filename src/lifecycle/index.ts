export * from './fault.js';
export * from './incident.js';
export * from './phase.js';
export * from './reduce.js';
