export * from './schemas.js';
export * from './system.js';
export * from './queue-model.js';
export * from './analyzer.js';
export * from './candidates.js';
export * from './greedy.js';
export * from './optimize.js';
export * from './float32.js';
