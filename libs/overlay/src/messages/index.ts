export * from './destination';
export * from './error-code';
export * from './link-bodies';
export * from './message';
export * from './topology-bodies';
