export * from './attachment';
export * from './overlay-session';
export * from './app-channel/index';
export * from './sip/index';
export * from './edge/index';
export * from './session-storage';
