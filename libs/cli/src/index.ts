export * from './arguments';
export * from './errors';
export * from './program';
