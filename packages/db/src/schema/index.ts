export * from './tenant.js';
export * from './control.js';
