// Evaluated once per test file that imports it: why the PostgreSQL half is skipped here, or null.
import { postgresUnavailable } from '../fixtures/postgres.js';

export const pgSkip = await postgresUnavailable('record');
