// What the district office does through the bot: reload the reports, list them, read the statistics, and
// add or replace a report by sending it as a file. Every handler checks ADMIN_IDS for the sender of the
// update it handles (buttons included, they can be forged).
import { rm } from 'node:fs/promises';
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { log } from '../../log.js';
import type { BotDeps } from '../deps.js';
import { MSG } from '../messages.vi.js';
import { STATS_CALLBACK } from './office.js';
import { adminOnly } from '../middleware/admin-only.js';
import { replyHtml } from '../reply.js';
import {
  DownloadError,
  downloadTelegramFile,
  extensionOf,
  incomingPath,
  installUpload,
  sanitizeFileName,
  TELEGRAM_DOWNLOAD_LIMIT_MB,
} from '../uploads.js';
import { describeError } from '../../errors.js';
import { checkReportFile, SUPPORTED_EXTENSIONS } from '../../report-files.js';

/** Callback data of the admin buttons; every "adm:" button is checked against ADMIN_IDS when pressed. */
export const ADMIN_CALLBACK = { reload: 'adm:reload', stats: STATS_CALLBACK.refresh } as const;

const MB = 1024 * 1024;

function refuse(ctx: Context): Promise<unknown> {
  return ctx.callbackQuery
    ? ctx.answerCallbackQuery({ text: MSG.notAdmin, show_alert: true })
    : ctx.reply(MSG.notAdmin);
}

async function sendDocs(ctx: Context, deps: BotDeps): Promise<void> {
  await replyHtml(ctx, MSG.docs(deps.engine.status()), {
    reply_markup: new InlineKeyboard().text(MSG.buttonReload, ADMIN_CALLBACK.reload),
  });
}

/** Download, check, install, reload. The corpus changes only after the file proved readable. */
async function handleUpload(ctx: Context, deps: BotDeps): Promise<void> {
  const document = ctx.message?.document;
  if (!document || !ctx.chat) return;
  const original = document.file_name ?? '';
  const name = sanitizeFileName(original);
  if (!name) {
    await ctx.reply(MSG.uploadBadName);
    return;
  }
  if (!SUPPORTED_EXTENSIONS.includes(extensionOf(name))) {
    await ctx.reply(MSG.uploadUnsupported(SUPPORTED_EXTENSIONS));
    return;
  }
  const maxMb = Math.min(deps.settings.MAX_UPLOAD_MB, TELEGRAM_DOWNLOAD_LIMIT_MB);
  if (document.file_size !== undefined && document.file_size > maxMb * MB) {
    await ctx.reply(MSG.uploadTooLarge(document.file_size / MB, maxMb));
    return;
  }

  const corpusDir = deps.settings.CORPUS_DIR;
  await replyHtml(ctx, MSG.uploadReceiving(name));
  let temp: string | null = null;
  try {
    temp = await incomingPath(corpusDir, name);
    try {
      await downloadTelegramFile(
        ctx.api,
        deps.settings.TELEGRAM_API_ROOT,
        deps.token,
        document.file_id,
        temp,
        maxMb * MB,
      );
    } catch (error) {
      if (!(error instanceof DownloadError)) throw error;
      log.warn('upload download failed', { user: ctx.from?.id, file: name, kind: error.kind, detail: error.detail });
      await replyHtml(
        ctx,
        error.kind === 'too-large'
          ? MSG.uploadTooLarge(null, maxMb)
          : MSG.uploadDownloadFailed(error.kind, error.detail),
      );
      return;
    }
    let title: string;
    try {
      title = (await checkReportFile(temp, name, { parseTimeoutMs: deps.uploadParseTimeoutMs })).title;
    } catch (error) {
      log.info('upload refused: unreadable', { user: ctx.from?.id, file: name, reason: describeError(error) });
      await replyHtml(ctx, MSG.uploadRefused(name, describeError(error)));
      return;
    }
    const installed = await installUpload(corpusDir, name, temp);
    log.info('upload installed', {
      user: ctx.from?.id,
      file: name,
      replaced: installed.historyPath !== null,
      history: installed.historyPath,
    });
    // The original name is shown as sent, minus control characters (a NUL in a message is refused).
    const shownOriginal = original !== name ? original.replace(/[\u0000-\u001f\u007f]/g, '') : null;
    await replyHtml(ctx, MSG.uploadSaved(name, title, installed.historyPath !== null, shownOriginal));
    await deps.reloads.start(ctx.chat.id, `upload of ${name} by ${ctx.from?.id}`, ctx.api);
  } catch (error) {
    // A disk problem (full, read-only, permissions): the admin must hear that the upload did not happen.
    if (!(error as NodeJS.ErrnoException).syscall) throw error;
    log.error('upload failed', { user: ctx.from?.id, file: name, error: describeError(error) });
    await ctx.reply(MSG.internalError);
  } finally {
    if (temp) await rm(temp, { force: true });
  }
}

/** /reload, /docs, the reload button and report uploads, for admins only; a document from anyone else gets a hint. */
export function adminComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const admins = deps.settings.ADMIN_IDS;
  const onlyAdmins = adminOnly<Context>(admins, refuse);

  composer.command('reload', onlyAdmins, async (ctx) => {
    await deps.reloads.start(ctx.chat.id, `/reload by ${ctx.from?.id}`, ctx.api);
  });
  composer.command('docs', onlyAdmins, (ctx) => sendDocs(ctx, deps));

  composer.callbackQuery(ADMIN_CALLBACK.reload, onlyAdmins, async (ctx) => {
    await ctx.answerCallbackQuery();
    if (ctx.chat) await deps.reloads.start(ctx.chat.id, `button by ${ctx.from.id}`, ctx.api);
  });
  // Any other admin-looking button is stale or forged.
  composer.callbackQuery(/^adm:/, onlyAdmins, (ctx) => ctx.answerCallbackQuery({ text: MSG.callbackExpired }));

  // A citizen's document gets a hint; an admin's is an upload.
  composer.on(
    'message:document',
    adminOnly<Context>(admins, (ctx) => ctx.reply(MSG.documentFromCitizen)),
    (ctx) => handleUpload(ctx, deps),
  );

  return composer;
}
