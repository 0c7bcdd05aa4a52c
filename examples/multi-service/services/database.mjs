// The orders database: PostgreSQL through `pg`, traced by OpenTelemetry's
// instrumentation-pg, whose spans join tracewire's trace through the bridge.
// Without DATABASE_URL (PostgreSQL not installed), a simulated insert stands in.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { span } from '@tracewire/core';
import { registerOpenTelemetry } from '@tracewire/opentelemetry';

export async function ordersDatabase(tracer) {
  const url = process.env.DATABASE_URL;
  if (!url) return simulated();
  registerOpenTelemetry({ tracer });
  registerInstrumentations({ instrumentations: [new PgInstrumentation()] });
  // Loaded after the instrumentation, through require(), which is what it hooks.
  const { Pool } = createRequire(import.meta.url)('pg');
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query(
    'create table if not exists orders (id text primary key, sku text not null, quantity int not null)',
  );
  return {
    async insert(order) {
      await pool.query('insert into orders (id, sku, quantity) values ($1, $2, $3)', [
        order.id,
        order.sku,
        order.quantity ?? 1,
      ]);
      const { rows } = await pool.query('select count(*)::int as n from orders where sku = $1', [
        order.sku,
      ]);
      return rows[0].n;
    },
  };
}

function simulated() {
  return {
    insert: () =>
      span('db.insert order', async (s) => {
        s.setAttributes({
          'db.system': 'postgresql',
          'db.operation.name': 'INSERT',
          simulated: true,
        });
        await new Promise((resolve) => setTimeout(resolve, 8));
        return 1;
      }),
  };
}
