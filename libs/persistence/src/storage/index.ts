export { LmdbValueEnvironment, type LmdbValueEnvironmentInit } from './lmdb-value-environment';
export { LmdbValueStore, type LmdbValueStoreInit } from './lmdb-value-store';
export { DEFAULT_VALUE_COLLECTION, MongoValueStore, type MongoValueStoreInit } from './mongo-value-store';
export { type OpenValueStoreInit, openValueStore } from './open-value-store';
export { type ValueStoreComponents, type ValueStoreLogger } from './value-store-logger';
