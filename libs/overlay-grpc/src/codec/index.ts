export * from './body-mapper';
export * from './core-bodies';
export * from './ids';
export * from './protobuf-codec';
export * from './storage-bodies';
export * from './storage-values';
export * from './message-signing';
export * from './trusted-dictionary-entries';
