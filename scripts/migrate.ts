/** `npm run migrate`: opens the store named by DATABASE_URL, which applies pending migrations, and lists them. */
import { openStore } from '../src/store/open-store.js';

const databaseUrl = process.env.DATABASE_URL || 'sqlite:data/cars.db';
// Never print a password from the URL.
const shown = databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

try {
  const store = await openStore(databaseUrl);
  try {
    const applied = await store.appliedMigrations();
    console.log(`${shown}: ${applied.length} migration(s) applied`);
    for (const m of applied) console.log(`  ${String(m.version).padStart(4)}  ${m.appliedAt}  ${m.name}`);
  } finally {
    await store.close();
  }
} catch (err) {
  console.error(`migrate failed for ${shown}: ${(err as Error).message}`);
  process.exitCode = 1;
}
