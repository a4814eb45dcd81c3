export * from './errors';
export * from './placement';
export * from './record';
export * from './tree';
