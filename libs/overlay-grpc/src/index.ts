export * from './codec';
export * from './errors';
export * from './grpc-link';
export * from './grpc-link-transport';
export * from './link-dialer';
export * from './link-hello';
export * from './link-service';
export * from './message-codec';
