export * from './authority';
export * from './certificate';
export * from './csr';
export * from './keys';
export * from './node-certificate';
export * from './reload-uri';
export * from './revocation-list';
