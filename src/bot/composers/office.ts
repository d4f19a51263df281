// The district office's view of the record, in Telegram: /stats (today, 7 days, 30 days) and /export (the
// log as a CSV file, pseudonyms only). Admins only; /export only in a private chat with the bot.
import { Composer, InlineKeyboard, InputFile, type Context } from 'grammy';
import { log } from '../../log.js';
import { toCsv } from '../../store/csv.js';
import type { ExportRow } from '../../store/types.js';
import type { BotDeps } from '../deps.js';
import { MSG, type StatsView, type StatsWindow } from '../messages.vi.js';
import { adminOnly } from '../middleware/admin-only.js';
import { replyHtml } from '../reply.js';
import { describeError } from '../../errors.js';

/** Callback data of the /stats buttons: refresh, and the window chosen ("adm:stats:7"). */
export const STATS_CALLBACK = { refresh: 'adm:stats', window: 'adm:stats:' } as const;
const WINDOWS: StatsWindow[] = ['today', '7', '30'];
const DAY_MS = 24 * 60 * 60 * 1000;
/** Vietnam is UTC+7 all year. */
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DEFAULT_EXPORT_DAYS = 30;

/** Midnight in Vietnam of the day `ms` falls in. */
export function vietnamDayStart(ms: number): number {
  return Math.floor((ms + VIETNAM_OFFSET_MS) / DAY_MS) * DAY_MS - VIETNAM_OFFSET_MS;
}

/** The time range of a /stats window ending now: from midnight in Vietnam for "today", else the last 7 or 30 days. */
export function windowRange(window: StatsWindow, now: number): { from: number; to: number } {
  const to = now + 1;
  if (window === 'today') return { from: vietnamDayStart(now), to };
  return { from: now - Number(window) * DAY_MS, to };
}

/** "hôm nay", "hom nay", "today", "7", "7 ngày", "30"… → a window; undefined when not understood. */
export function parseWindow(arg: string): StatsWindow | undefined {
  const a = arg.trim().toLowerCase();
  if (a === '') return '7';
  if (/^(hôm nay|hom nay|today|1)$/.test(a)) return 'today';
  const n = /^(7|30)(\s*(ngày|ngay|d))?$/.exec(a)?.[1];
  return n as StatsWindow | undefined;
}

/** A day as YYYY-MM-DD or DD/MM/YYYY → midnight in Vietnam; null when it is no date. */
export function parseDay(text: string): number | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
  const vietnamese = iso ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  let y: number;
  let mo: number;
  let d: number;
  if (iso) [y, mo, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (vietnamese) [d, mo, y] = [Number(vietnamese[1]), Number(vietnamese[2]), Number(vietnamese[3])];
  else return null;
  const utc = Date.UTC(y, mo - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return utc - VIETNAM_OFFSET_MS;
}

function dayLabel(vietnamMidnight: number): string {
  return new Date(vietnamMidnight + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/** `/export [from] [to]`, both days included; default the last 30 days. */
export function exportRange(
  args: string,
  now: number,
): { from: number; to: number; fromLabel: string; toLabel: string } | null {
  const parts = args.trim().split(/\s+/).filter(Boolean);
  if (parts.length > 2) return null;
  const today = vietnamDayStart(now);
  const from = parts[0] ? parseDay(parts[0]) : today - (DEFAULT_EXPORT_DAYS - 1) * DAY_MS;
  const lastDay = parts[1] ? parseDay(parts[1]) : today;
  if (from === null || lastDay === null || lastDay < from) return null;
  return { from, to: lastDay + DAY_MS, fromLabel: dayLabel(from), toLabel: dayLabel(lastDay) };
}

/** Everything /stats shows: the totals of every window, the details of the selected one and the record's status. */
export async function buildStatsView(deps: BotDeps, selected: StatsWindow, now = Date.now()): Promise<StatsView> {
  const { records } = deps;
  const windows = [];
  for (const window of WINDOWS) {
    const { from, to } = windowRange(window, now);
    windows.push({ window, stats: await records.store.window(from, to) });
  }
  const { from, to } = windowRange(selected, now);
  return {
    windows,
    selected,
    details: await records.store.details(from, to),
    legacy: await records.legacyTotals(),
    status: records.status(),
  };
}

function statsKeyboard(): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const w of WINDOWS) keyboard.text(w === 'today' ? 'Hôm nay' : `${w} ngày`, STATS_CALLBACK.window + w);
  return keyboard;
}

async function sendStats(ctx: Context, deps: BotDeps, window: StatsWindow): Promise<void> {
  let html: string;
  try {
    html = MSG.stats(await buildStatsView(deps, window));
  } catch (error) {
    const reason = describeError(error);
    log.warn('/stats: record unavailable', { error: reason });
    html = MSG.statsUnavailable(reason);
  }
  await replyHtml(ctx, html, { reply_markup: statsKeyboard() });
}

function refuse(ctx: Context): Promise<unknown> {
  return ctx.callbackQuery
    ? ctx.answerCallbackQuery({ text: MSG.notAdmin, show_alert: true })
    : ctx.reply(MSG.notAdmin);
}

/** /stats and /export for admins: the office's view of the questions asked and the feedback given. */
export function officeComposer(deps: BotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  const onlyAdmins = adminOnly<Context>(deps.settings.ADMIN_IDS, refuse);

  composer.command('stats', onlyAdmins, (ctx) => sendStats(ctx, deps, parseWindow(ctx.match) ?? '7'));
  composer.callbackQuery(/^adm:stats(?::(today|7|30))?$/, onlyAdmins, async (ctx) => {
    await ctx.answerCallbackQuery();
    await sendStats(ctx, deps, (ctx.match[1] as StatsWindow | undefined) ?? '7');
  });

  composer.command('export', onlyAdmins, async (ctx) => {
    if (ctx.chat.type !== 'private') {
      await ctx.reply(MSG.exportPrivateOnly);
      return;
    }
    const range = exportRange(ctx.match, Date.now());
    if (!range) {
      await replyHtml(ctx, MSG.exportUsage);
      return;
    }
    let rows: ExportRow[];
    try {
      rows = await deps.records.store.exportRows(range.from, range.to);
    } catch (error) {
      const reason = describeError(error);
      await replyHtml(ctx, MSG.statsUnavailable(reason));
      return;
    }
    if (rows.length === 0) {
      await ctx.reply(MSG.exportEmpty(range.fromLabel, range.toLabel));
      return;
    }
    log.info('record exported', { admin: ctx.from?.id, rows: rows.length, from: range.fromLabel, to: range.toLabel });
    await ctx.replyWithDocument(new InputFile(toCsv(rows), `nhat-ky-cau-hoi_${range.fromLabel}_${range.toLabel}.csv`), {
      caption: MSG.exportCaption(rows.length, range.fromLabel, range.toLabel),
    });
  });

  return composer;
}
