import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMPANY_DATASET, type CompanyList } from '../../src/engine/flow-tools.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const run = promisify(execFile);
const tsx = join('node_modules', '.bin', 'tsx');

describe('npm run agencies:import', () => {
  it('imports valid rows, reports rejected ones with line and reason, and replaces the list', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sj-import-'));
    try {
      // The import goes to the SQLite file in DATA_DIR, whatever this shell's MONGODB_URI says.
      const { MONGODB_URI: _, ...rest } = process.env;
      const env = { ...rest, DATA_DIR: dir };
      const { stdout } = await run(
        tsx,
        [
          'src/cli/agencies-import.ts',
          'test/fixtures/agencies/licensed.csv',
          '--date',
          '2026-11-01',
        ],
        { env },
      );
      expect(stdout).toMatch(/3 rows accepted, 2 rejected \(list dated 2026-11-01\)/);
      expect(stdout).toMatch(/rejected line 4: "name" is empty/);
      expect(stdout).toMatch(/rejected line 5: "licence" is empty/);

      // A large file shows progress and replaces the list whole.
      const big = join(dir, 'big.csv');
      writeFileSync(
        big,
        `name,licence\n${Array.from({ length: 2500 }, (_, i) => `"Cty Số ${i}",${i}/GP`).join('\n')}\n`,
      );
      const second = await run(tsx, ['src/cli/agencies-import.ts', big], { env });
      expect(second.stderr).toMatch(/2000 rows read/);
      const store = createSqliteStore(join(dir, 'safe-journey.db'));
      const list = (await store.getDataset(COMPANY_DATASET))?.value as CompanyList;
      expect(list.rows).toHaveLength(2500);
      await store.close();

      const bad = join(dir, 'bad.csv');
      writeFileSync(bad, 'name,licence\n,\n');
      await expect(run(tsx, ['src/cli/agencies-import.ts', bad], { env })).rejects.toMatchObject({
        stderr: expect.stringMatching(/no valid rows/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
