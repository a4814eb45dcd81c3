export * from './errors';
export * from './program';
