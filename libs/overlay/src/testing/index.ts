export * from './memory-network';
export * from './prng';
export * from './testnet';
export * from './virtual-clock';
export * from './route-probe';
export * from './fake-link';
