// The store contract, the in-memory adapter, and the contract rules every adapter shares
// (record checks, Node-ID planning, paging, JSON settings). Durable adapters: libs/persistence.
export * from './enrollment-store';
export * from './identifiers';
export * from './memory-enrollment-store';
export * from './node-id-plan';
export * from './paging';
export * from './records';
export * from './setting-json';
export * from './settle';
export * from './text-order';
