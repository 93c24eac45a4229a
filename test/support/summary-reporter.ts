/**
 * Prints jest's totals as one plain line ("N passed, N failed, N skipped") after the run, so CI
 * logs carry a closing line that any tool can read.
 */
interface Totals {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

export default class SummaryReporter {
  onRunComplete(_contexts: unknown, results: Totals): void {
    process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`);
  }
}
