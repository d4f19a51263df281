// Evaluated once per test file that imports it: why the PostgreSQL half is skipped here, or null.
import { postgresUnavailable } from './backends.js';

export const pgSkip = await postgresUnavailable('record');
