export * from './tenant';
export * from './control';
