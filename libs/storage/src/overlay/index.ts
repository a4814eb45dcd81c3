export * from './messages';
export * from './overlay-storage';
export * from './replica-placement';
export * from './storage-settings';
