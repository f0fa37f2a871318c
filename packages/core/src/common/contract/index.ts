export * from './defineContract.js';
export * from './schemas.js';
export * from './hostContract.js';
export * from './inferenceContract.js';
export * from './documentSchemas.js';
export * from './ingestContract.js';
export * from './voiceContract.js';
export * from './voiceSchemas.js';
