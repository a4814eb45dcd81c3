export * from './app-attach';
export * from './tls-channel';
