export * from './attach';
export * from './chord-topology';
export * from './join';
export * from './leave';
export * from './trace';
