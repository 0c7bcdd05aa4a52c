import { afterEach, beforeEach, vi } from 'vitest';

/** Keeps the machine's own OTEL_* settings out of a test file; tests stub what they need. */
export function isolateOtelEnv(): void {
  beforeEach(() => {
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('OTEL_')) vi.stubEnv(name, '');
    }
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
}
