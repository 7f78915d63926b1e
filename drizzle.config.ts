import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the table definitions and committed under drizzle/;
// the server applies them at start (src/db/migrate.ts) on PGlite and PostgreSQL alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema/index.ts',
  out: './drizzle',
  strict: true,
});
