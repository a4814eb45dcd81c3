// Appends one JSON line per Jest run to $JEST_COUNT_FILE so that a CI script can print a single
// "N passed, N failed" total across every Nx project. A suite that cannot even load (syntax error,
// missing module) counts as a failure: it has no failed *tests*, but it must still fail CI.
const fs = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.JEST_COUNT_FILE;
    if (!file) return;
    const brokenSuites = results.testResults.filter(
      (suite) => suite.testExecError !== undefined && suite.testExecError !== null,
    ).length;
    const line = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + brokenSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = CountReporter;
