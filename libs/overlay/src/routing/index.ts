export * from './answer-cache';
export * from './router';
export * from './transactions';
export * from './validate';
