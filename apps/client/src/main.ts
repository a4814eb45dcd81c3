import { appVersion, runProgram } from '@p2psip/cli';
import { buildProgram } from './program';

void runProgram(buildProgram(appVersion(__dirname))).then((code) => {
  // A command that succeeded may still have set its own status (diag ring: inconsistent → 1;
  // fetch: values dropped for bad signatures → 3); keep it.
  if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
});
