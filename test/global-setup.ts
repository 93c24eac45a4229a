/** Jest global setup: build output is already in dist (npm test runs tsc first); nothing to start here.
 * Services are started lazily by the suites that need them (test/support/services.ts). */
export default async function globalSetup(): Promise<void> {
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
}
