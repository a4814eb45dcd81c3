export * from './body-mapper';
export * from './core-bodies';
export * from './ids';
export * from './protobuf-codec';
