// Shared Jest settings: swc transpiles TypeScript (type errors are caught by the separate `tsc` step),
// and the count reporter lets CI print one total over every project (see tools/jest/count-reporter.cjs).
const path = require('node:path');

module.exports = {
  ...require('@nx/jest/preset').default,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  setupFiles: [path.join(__dirname, 'tools/jest/fast-check-seed.cjs')],
  reporters: ['default', path.join(__dirname, 'tools/jest/count-reporter.cjs')],
};
