export * from './configuration-source';
export * from './enroll';
export * from './enrollment-form';
export * from './errors';
export * from './https-get';
export * from './identity-dir';
export * from './obtain-identity';
