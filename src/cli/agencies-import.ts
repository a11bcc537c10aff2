/**
 * npm run agencies:import -- FILE.csv [--date YYYY-MM-DD]
 * Imports the official list of licensed labour-export companies (published by
 * the Department of Overseas Labour) so the "check a company" flow can look
 * names and licence numbers up. The whole list is replaced.
 *
 * CSV, UTF-8, header row, comma-separated, quoted fields allowed:
 *   name,licence,address,status
 *   "Công ty TNHH ABC",123/LĐTBXH-GP,"12 Phố X, Hà Nội",active
 * `name` and `licence` are required; `address` and `status` are optional.
 * `--date` is the date of the list itself (default: today); the bot shows it.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { loadConfig } from '../config.js';
import { COMPANY_DATASET, type CompanyList } from '../engine/flow-tools.js';
import { createMongoStore } from '../store/mongo/mongo-store.js';
import { createSqliteStore } from '../store/sqlite/sqlite-store.js';

async function main() {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const dateArg = args.includes('--date') ? args[args.indexOf('--date') + 1] : undefined;
  if (!file || (dateArg && !/^\d{4}-\d{2}-\d{2}$/.test(dateArg))) {
    console.error('usage: npm run agencies:import -- FILE.csv [--date YYYY-MM-DD]');
    process.exit(2);
  }
  const rows: CompanyList['rows'] = [];
  const rejected: string[] = [];
  const parser = createReadStream(file).pipe(
    parse({
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      trim: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const line = info.lines;
      const name = record.name?.normalize('NFC');
      const licence = record.licence ?? record.license;
      if (!name) rejected.push(`line ${line}: "name" is empty`);
      else if (!licence) rejected.push(`line ${line}: "licence" is empty`);
      else
        rows.push({
          name,
          licence,
          ...(record.address ? { address: record.address } : {}),
          ...(record.status ? { status: record.status } : {}),
        });
      if ((rows.length + rejected.length) % 1000 === 0)
        process.stderr.write(`… ${rows.length + rejected.length} rows read\n`);
    }
  } catch (error) {
    console.error(`agencies:import: ${file}: ${(error as Error).message}`);
    process.exit(1);
  }
  if (rows.length === 0) {
    console.error(`agencies:import: no valid rows in ${file}; nothing was changed`);
    for (const r of rejected.slice(0, 20)) console.error(`  rejected ${r}`);
    process.exit(1);
  }
  const config = loadConfig();
  const store = config.MONGODB_URI
    ? await createMongoStore(config.MONGODB_URI)
    : createSqliteStore(config.databaseFile);
  const list: CompanyList = { date: dateArg ?? new Date().toISOString().slice(0, 10), rows };
  await store.putDataset(COMPANY_DATASET, list);
  await store.close();
  console.log(
    `agencies:import: ${rows.length} rows accepted, ${rejected.length} rejected (list dated ${list.date})`,
  );
  for (const r of rejected) console.log(`  rejected ${r}`);
}

void main();
