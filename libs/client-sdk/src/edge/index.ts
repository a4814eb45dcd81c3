export * from './bindings';
export * from './digest-auth';
export * from './sip-edge';
export * from './sip-transport';
