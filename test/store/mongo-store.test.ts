import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { createMongoStore } from '../../src/store/mongo/mongo-store.js';
import { runHandoffStoreContract } from '../contracts/handoff-store-contract.js';
import { runStoreContract } from '../contracts/store-contract.js';
import { mongoMissing, mongoUri } from '../support/mongo.js';

/** Each test gets its own database on the MongoDB-wire server, dropped afterwards. */
function makeMongo() {
  return async () => {
    const url = new URL(mongoUri as string);
    url.pathname = `/sj_test_${randomBytes(6).toString('hex')}`;
    const uri = url.toString();
    return {
      store: await createMongoStore(uri),
      reopen: () => createMongoStore(uri),
      cleanup: async () => {
        const client = await MongoClient.connect(uri);
        await client.db().dropDatabase();
        await client.close();
      },
    };
  };
}

describe.skipIf(mongoMissing)('MongoDB-wire server', () => {
  runStoreContract('mongodb', makeMongo());
  runHandoffStoreContract('mongodb', makeMongo());
});
