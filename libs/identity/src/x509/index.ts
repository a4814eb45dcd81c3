export * from './authority';
export * from './certificate';
export * from './csr';
export * from './keys';
export * from './reload-uri';
export * from './revocation-list';
