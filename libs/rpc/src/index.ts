export * from './client';
export * from './errors';
export * from './handlers';
export * from './health-check';
export * from './peer-identity';
export * from './server';
export * from './status-mapping';
export * from './tls';
