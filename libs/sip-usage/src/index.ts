export { destinationFromBytes, destinationToBytes } from './destination-codec';
export * from './errors';
export * from './resolve';
export * from './sip-registration';
