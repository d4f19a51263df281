// `npm start`: settings from .env, then the bot until SIGINT/SIGTERM. Anything that stops start-up is
// printed as one line on stderr with exit code 1: no stack trace, never the token.
import 'dotenv/config';
import { ConfigError, loadSettings } from './config.js';
import { log, redactSecrets, setLogFormat, setLogLevel } from './log.js';
import { startBot, StartupError, type BotHandle } from './bot/start.js';
import { describeError } from './errors.js';

function fail(message: string): never {
  process.stderr.write(redactSecrets(message.split('\n')[0]!) + '\n');
  process.exit(1);
}

async function main(): Promise<void> {
  let handle: BotHandle;
  try {
    const settings = loadSettings();
    setLogLevel(settings.LOG_LEVEL);
    setLogFormat(settings.LOG_FORMAT);
    handle = await startBot(settings, {
      onFatal: (error) => {
        void handle?.stop().finally(() => fail(`Polling stopped: ${error.message}`));
      },
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StartupError) fail(error.message);
    fail(`Start-up failed: ${describeError(error)}`);
  }

  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) {
      // A second Ctrl+C means "now".
      log.warn('second signal; exiting without waiting', { signal });
      process.exit(1);
    }
    signalled = true;
    log.info('signal received; shutting down', { signal });
    handle.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(`Shutdown failed: ${describeError(error)}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
