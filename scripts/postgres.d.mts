export interface PostgresServer {
  available: true;
  host: string;
  port: number;
  user: string;
  database: string;
  connectionString: string;
  stop(): Promise<void>;
}

export interface PostgresUnavailable {
  available: false;
  reason: string;
}

/** The directory holding `initdb` and `pg_ctl`, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined;

/** Starts a throwaway PostgreSQL server on 127.0.0.1 (see postgres.mjs). */
export function startPostgres(options?: {
  required?: boolean;
}): Promise<PostgresServer | PostgresUnavailable>;
