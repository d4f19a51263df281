// The citizen in the record is a pseudonym: HMAC-SHA256 of the Telegram user id under a per-install
// secret. The secret never goes into the database, so the database alone cannot be turned back into
// Telegram ids (there are only ~10^10 ids: a plain hash could be reversed by trying them all).
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { log } from '../log.js';

/** The secret's file in DATA_DIR when PSEUDONYM_SECRET is not set; it must be kept with the data. */
export const PSEUDONYM_KEY_FILE = 'pseudonym.key';

/** Turns a Telegram user id into the stable pseudonym stored in place of it. */
export type Pseudonymizer = (telegramUserId: number) => string;

/** Pseudonyms remembered per process; a citizen's every question and vote needs theirs. */
const REMEMBERED_PSEUDONYMS = 10_000;

/** Pseudonyms keyed by `secret`: the same id always gives the same 22-character HMAC, useless without the secret. */
export function pseudonymizer(secret: string | Buffer): Pseudonymizer {
  // The key is prepared once: createHmac with a raw secret converts it to a key object on every call.
  const key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret);
  const known = new Map<number, string>();
  return (id) => {
    let pseudonym = known.get(id);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', key).update(String(id)).digest('base64url').slice(0, 22);
      if (known.size >= REMEMBERED_PSEUDONYMS) known.clear();
      known.set(id, pseudonym);
    }
    return pseudonym;
  };
}

/**
 * The secret: PSEUDONYM_SECRET when set (several processes sharing a PostgreSQL server must share it),
 * else DATA_DIR/pseudonym.key, created on first run with mode 0600.
 */
export async function loadPseudonymSecret(dataDir: string, setting?: string): Promise<string> {
  if (setting) return setting;
  const file = path.join(dataDir, PSEUDONYM_KEY_FILE);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
    throw new Error(`${file} is too short to be a key; delete it to create a new one (pseudonyms will change)`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx': two processes starting together must not overwrite each other's key.
  try {
    await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadPseudonymSecret(dataDir, setting);
    throw error;
  }
  await chmod(file, 0o600);
  log.info('created the pseudonym key (keep it with the data; without it pseudonyms change)', { file });
  return secret;
}
