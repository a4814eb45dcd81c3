export * from './app-attach';
export * from './overlay-channel';
export * from './tls-channel';
