export * from './finger-table';
export * from './neighbor-table';
export * from './routing-table';
