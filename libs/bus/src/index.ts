export * from './bus';
export * from './certificate-events';
export * from './events';
export * from './peer-events';
export * from './subjects';
