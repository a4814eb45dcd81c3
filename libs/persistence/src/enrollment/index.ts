export { LmdbEnrollmentStore, type LmdbEnrollmentStoreInit } from './lmdb-enrollment-store';
export { MemoryEnrollmentStore } from '@p2psip/ca';
export { MongoEnrollmentStore, type MongoEnrollmentStoreInit } from './mongo-enrollment-store';
export { type OpenEnrollmentStoreInit, openEnrollmentStore } from './open-enrollment-store';
export { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '@p2psip/ca';
