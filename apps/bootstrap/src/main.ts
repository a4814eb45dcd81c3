import { appVersion, runProgram } from '@p2psip/cli';
import { buildProgram } from './program';

void runProgram(buildProgram(appVersion(__dirname))).then((code) => {
  process.exitCode = code;
});
