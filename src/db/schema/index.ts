export * from './enums.js';
export * from './countries.js';
export * from './organizations.js';
export * from './indicators.js';
export * from './reports.js';
export * from './observations.js';
export * from './grants.js';
export * from './meta.js';
