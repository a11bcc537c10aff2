import { describe, it } from 'vitest';

/**
 * The MongoDB-wire server for the Mongo contract suite: MONGODB_URI (a real
 * MongoDB 7, Atlas, or the FerretDB that .ci/run builds and starts). In CI a
 * missing URI is a failure; on a developer's machine the suite is skipped with
 * this reason printed.
 */
export const mongoUri = process.env.MONGODB_URI;
export const mongoMissing = !mongoUri && !process.env.CI;

if (!mongoUri) {
  if (process.env.CI) {
    describe('MongoDB store', () => {
      it('needs MONGODB_URI in CI', () => {
        throw new Error('MONGODB_URI is not set: .ci/run must start FerretDB and export it');
      });
    });
  } else {
    process.stderr.write('MongoDB tests skipped: set MONGODB_URI (see README) to run them.\n');
  }
}
