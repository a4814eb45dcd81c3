export * from './app-process';
export * from './coturn';
export * from './nats-server';
export * from './repo-paths';
export * from './system-command';
export * from './temp-dir';
export * from './test-pki';
export * from './ports';
