import pg from 'pg';

/** One short-lived client for the length of `work`: setup steps, not requests (those use the tenancy's pools). */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>, clientClass: typeof pg.Client = pg.Client): Promise<T> {
  const client = new clientClass({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
