export * from './errors';
export * from './node-multiple';
export * from './resource-id';
export * from './ring';
export * from './ring-id';
export * from './x509';
