// Every sentence a user of the bot reads, in one place, so the district office can review the wording
// without reading code. Functions return Telegram HTML; anything that comes from a report, a file name or
// a user goes through escapeHtml.
import type { EngineStatus, IndexSummary, ProgressEvent, SynonymRefusal } from '../engine-api.js';
import { escapeHtml } from './html.js';
import type { LegacyTotals } from '../store/legacy-stats.js';
import type { RecordsStatus } from '../store/records.js';
import type { DownReason, WindowDetails, WindowStats } from '../store/types.js';
import { sliceWhole } from '../text/normalize.js';
import type { DownloadFailure } from './uploads.js';

type DocumentInfo = EngineStatus['documents'][number];

/** Asked from /start's buttons when EXAMPLE_QUESTIONS is not set; they fit the Cẩm Lệ 2018 report. */
export const DEFAULT_EXAMPLE_QUESTIONS = [
  'Mục tiêu thu ngân sách cuối năm của quận là bao nhiêu?',
  'Tổng giá trị sản xuất 6 tháng đầu năm tăng bao nhiêu?',
  'Quận còn những hạn chế nào cần khắc phục?',
];

/** How many documents to name in a reply before "và N báo cáo khác". */
const MAX_LISTED_DOCUMENTS = 15;

/** Why semantic search is off, for the admin; the details (paths, errors) are in the server's log. */
const DEGRADED: Record<NonNullable<EngineStatus['degraded']>, string> = {
  'no-model-configured': 'Chưa cấu hình mô hình ngữ nghĩa: bot đang tìm theo từ khóa.',
  'model-unavailable':
    'Chưa nạp được mô hình ngữ nghĩa nên bot đang tìm theo từ khóa (vẫn trả lời bình thường). Bộ phận kỹ thuật xem chi tiết trong nhật ký của máy chủ.',
};

/** Why a /synonym line was refused, worded for the admin. */
const SYNONYM_PROBLEMS: Record<SynonymRefusal, string> = {
  'line-too-long': 'dòng quá dài',
  'not-text': 'dòng có ký tự không phải chữ',
  'empty-entry': 'có mục trống (hai dấu phẩy liền nhau hoặc dấu phẩy ở cuối)',
  'no-letters': 'có mục không chứa chữ hay số',
  'phrase-too-long': 'có cụm từ dài quá 8 tiếng',
  'one-phrase': 'cần ít nhất hai cụm từ khác nhau',
  'no-file': 'bot chưa được cấu hình tệp từ đồng nghĩa',
  'not-stored': 'chưa lưu được vào cơ sở dữ liệu dùng chung của các máy chủ, xin thử lại sau ít phút',
};

function docLine(doc: Pick<DocumentInfo, 'title' | 'date'>): string {
  return `• ${escapeHtml(doc.title)}${doc.date ? ` (${escapeHtml(doc.date)})` : ''}`;
}

function documentList(documents: DocumentInfo[]): string {
  if (documents.length === 0) return 'Hiện chưa có báo cáo nào được nạp.';
  const shown = documents.slice(0, MAX_LISTED_DOCUMENTS).map(docLine);
  if (documents.length > MAX_LISTED_DOCUMENTS)
    shown.push(`… và ${documents.length - MAX_LISTED_DOCUMENTS} báo cáo khác.`);
  return shown.join('\n');
}

function formatNumber(n: number): string {
  return n.toLocaleString('vi-VN');
}

/** "14:03 05/07/2024", in Vietnam's time zone whatever the server's. */
function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });
}

/** The /stats windows, in the order shown. */
export type StatsWindow = 'today' | '7' | '30';
/** The /stats window buttons' labels. */
export const STATS_WINDOW_LABEL: Record<StatsWindow, string> = { today: 'Hôm nay', '7': '7 ngày', '30': '30 ngày' };
/** The labels of the 👎 reason buttons, one per reason the record stores. */
export const DOWN_REASON_LABEL: Record<DownReason, string> = {
  wrong: 'Sai thông tin',
  'off-topic': 'Không đúng câu hỏi',
  unclear: 'Khó hiểu',
};

/** All /stats shows, gathered by the office composer so that MSG.stats only words it. */
export interface StatsView {
  windows: { window: StatsWindow; stats: WindowStats }[];
  selected: StatsWindow;
  details: WindowDetails;
  legacy: LegacyTotals | null;
  status: RecordsStatus;
}

function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((100 * part) / whole);
}

function cut(text: string, max = 160): string {
  return text.length > max ? sliceWhole(text, max) + '…' : text;
}

function progressLine(event: ProgressEvent): string {
  switch (event.stage) {
    case 'load':
      return `Đang đọc tệp ${event.done}/${event.total}…`;
    case 'model':
      return `Mô hình: ${escapeHtml(event.message)}`;
    case 'embed':
      return `Đang lập chỉ mục ${event.done}/${event.total} đoạn…`;
    case 'save':
      return 'Đang lưu chỉ mục…';
  }
}

/** Every text the bot sends, in Vietnamese: fixed strings, and functions that word a situation as Telegram HTML. */
export const MSG = {
  // --- Labels used in answers ---
  sourceLabel: 'Nguồn',
  sectionLabel: 'mục',
  morePassagesTitle: 'Các đoạn liên quan khác:',
  otherYearsTitle: 'Cùng nội dung trong báo cáo các năm khác:',
  fullPassageTitle: 'Toàn văn đoạn',
  buttonMore: 'Xem thêm',
  buttonFull: 'Toàn văn đoạn',
  buttonReload: '🔄 Nạp lại ngay',
  buttonRefreshStats: '🔄 Làm mới',

  // --- Command menu ---
  commands: {
    start: 'Bắt đầu và xem câu hỏi mẫu',
    help: 'Hướng dẫn và danh sách báo cáo',
    reload: 'Nạp lại các báo cáo (quản trị)',
    docs: 'Danh sách báo cáo đã nạp (quản trị)',
    stats: 'Thống kê câu hỏi (quản trị)',
    synonym: 'Thêm từ đồng nghĩa (quản trị)',
    export: 'Tải nhật ký câu hỏi dạng CSV (quản trị)',
    privacy: 'Dữ liệu bot lưu về bạn',
    forget: 'Xóa dữ liệu của bạn',
  },

  // --- Synonyms (admins) ---
  synonymUsage:
    '<b>Thêm từ đồng nghĩa</b>\n' +
    'Khi người dân hỏi bằng từ khác với từ trong báo cáo (xem các câu chưa trả lời trong /stats), hãy dạy bot:\n' +
    '<code>/synonym từ người dân dùng = từ trong báo cáo, từ khác</code>\n' +
    'Ví dụ: <code>/synonym yếu kém = hạn chế, tồn tại</code>\n' +
    'Bot dùng ngay, không cần nạp lại. Danh sách nằm trong tệp synonyms.txt của thư mục báo cáo.',
  synonymAdded: (phrases: string[]) =>
    `✅ Đã thêm nhóm từ đồng nghĩa: ${phrases.map((p) => `“${escapeHtml(p)}”`).join(', ')}. Bot dùng ngay từ câu hỏi tiếp theo.`,
  // The format reminder follows a refused line only: a missing file or database is not the admin's wording.
  synonymRefused: (kind: SynonymRefusal | null) =>
    `Chưa thêm được: ${SYNONYM_PROBLEMS[kind ?? 'one-phrase']}.` +
    (kind === 'no-file' || kind === 'not-stored'
      ? ''
      : '\nCần ít nhất hai cụm từ, ngăn cách bằng dấu phẩy hoặc “=”, ví dụ: <code>/synonym đường sá = giao thông</code>'),
  synonymUnavailable: 'Bot đang chạy không có tệp từ đồng nghĩa nên chưa thêm được.',

  // --- Citizens ---
  start: (firstName: string | undefined) =>
    `Xin chào${firstName ? ` ${escapeHtml(firstName)}` : ''}! 👋\n\n` +
    'Tôi trả lời câu hỏi về chủ trương, kế hoạch và kết quả công tác của quận, dựa trên các báo cáo chính thức. ' +
    'Mỗi câu trả lời kèm đoạn trích và nguồn để bạn đối chiếu.\n\n' +
    'Cứ gõ câu hỏi bằng tiếng Việt, có dấu hay không dấu đều được. Hoặc bấm một câu hỏi mẫu bên dưới:',

  help: (documents: DocumentInfo[], isAdmin: boolean) =>
    '<b>Cách hỏi</b>\n' +
    'Gõ một câu hỏi ngắn, rõ ý, ví dụ: “Mục tiêu thu ngân sách cuối năm là bao nhiêu?”. ' +
    'Có dấu hay không dấu đều được. Tôi trả lời bằng đoạn trích trong báo cáo kèm nguồn; ' +
    'bấm “Xem thêm” để xem các đoạn liên quan khác, “Toàn văn đoạn” để đọc cả đoạn.\n\n' +
    `<b>Các báo cáo tôi đang có</b> (${documents.length})\n${documentList(documents)}\n\n` +
    '<b>Lệnh</b>\n/start — lời chào và câu hỏi mẫu\n/help — hướng dẫn này\n/privacy — dữ liệu bot lưu về bạn\n/forget — xóa dữ liệu của bạn' +
    (isAdmin
      ? '\n\n<b>Dành cho quản trị</b>\n/reload — nạp lại các báo cáo\n/docs — danh sách báo cáo đã nạp\n/stats — thống kê câu hỏi\n' +
        '/synonym — thêm từ đồng nghĩa (ví dụ “/synonym yếu kém = hạn chế”)\n' +
        '/export [từ ngày] [đến ngày] — tải nhật ký câu hỏi (CSV)\n' +
        'Gửi một tệp .docx, .doc, .pdf, .xlsx, .csv, .txt hoặc .md (dạng tệp đính kèm) để thêm hoặc thay báo cáo cùng tên.'
      : ''),

  notFound: (documents: DocumentInfo[]) =>
    'Xin lỗi, các báo cáo hiện có không đề cập đến nội dung bạn hỏi. 🙏\n\n' +
    'Bạn có thể hỏi lại bằng từ ngữ khác, ngắn gọn hơn, hoặc hỏi về các chủ đề mà báo cáo có nêu ' +
    '(kinh tế, thu ngân sách, đầu tư, trật tự xây dựng, cải cách hành chính, an ninh trật tự…).\n\n' +
    `<b>Các báo cáo hiện có:</b>\n${documentList(documents)}`,

  emptyQuestion:
    'Bạn hãy gõ câu hỏi bằng chữ, ví dụ: “Mục tiêu thu ngân sách cuối năm là bao nhiêu?”. Gõ /help để xem hướng dẫn.',

  tooLong: (max: number) =>
    `Câu hỏi quá dài (hơn ${formatNumber(max)} ký tự). Bạn hãy hỏi ngắn gọn, mỗi lần một ý, để tôi tìm đúng đoạn trả lời.`,

  unknownCommand: 'Tôi không hiểu lệnh này. Bạn cứ gõ câu hỏi bằng chữ, hoặc gõ /help để xem hướng dẫn.',

  nonText: 'Tôi chỉ đọc được câu hỏi dạng chữ. Bạn hãy gõ câu hỏi, ví dụ: “Quận đặt mục tiêu thu ngân sách thế nào?”.',

  documentFromCitizen:
    'Cảm ơn bạn, nhưng tôi không nhận tệp từ người dùng. Nếu bạn có câu hỏi, hãy gõ bằng chữ; ' +
    'báo cáo mới do cán bộ văn phòng quận cập nhật.',

  rateLimited: (perMinute: number) =>
    `Bạn đang gửi hơi nhanh (tối đa ${perMinute} tin mỗi phút). Các tin gửi thêm trong lúc này sẽ không được trả lời; ` +
    'bạn vui lòng đợi một phút rồi hỏi tiếp nhé.',

  internalError: 'Xin lỗi, hệ thống đang gặp trục trặc nên chưa trả lời được. Bạn vui lòng thử lại sau ít phút.',

  callbackExpired: 'Câu trả lời này đã hết hạn, hãy hỏi lại.',
  noMorePassages: 'Không còn đoạn liên quan nào khác.',
  groupHint: 'Hãy nhắn riêng cho tôi để hỏi về báo cáo của quận.',

  // --- Admins ---
  notAdmin: 'Xin lỗi, chức năng này chỉ dành cho cán bộ quản trị.',

  reloadStarted: '⏳ Đang nạp lại…',
  reloadQueued:
    '⏳ Đang có một lượt nạp lại; tôi sẽ nạp lại thêm một lần ngay sau đó để có các thay đổi mới nhất, rồi báo kết quả.',
  reloadProgress: (event: ProgressEvent) => `⏳ Đang nạp lại…\n${progressLine(event)}`,
  reloadStatusFinished: (ok: boolean) =>
    ok ? '✅ Nạp lại xong (kết quả bên dưới).' : '❌ Nạp lại không thành công (lý do bên dưới).',
  reloadDone: (summary: IndexSummary) => {
    const lines = [
      '✅ <b>Đã nạp lại xong.</b>',
      `Báo cáo: ${formatNumber(summary.documents)} · Đoạn: ${formatNumber(summary.passages)} · ` +
        `Thời gian: ${summary.seconds.toLocaleString('vi-VN', { maximumFractionDigits: 1 })} giây`,
    ];
    if (summary.skipped.length > 0) {
      lines.push('', `⚠️ <b>Bỏ qua ${summary.skipped.length} tệp:</b>`);
      for (const s of summary.skipped) lines.push(`• ${escapeHtml(s.source)}: ${escapeHtml(s.reason)}`);
    } else {
      lines.push('Không có tệp nào bị bỏ qua.');
    }
    return lines.join('\n');
  },
  reloadFailed: (reason: string) =>
    `❌ <b>Nạp lại không thành công.</b>\nLý do: ${escapeHtml(reason)}\n\n` +
    'Các câu hỏi vẫn được trả lời từ chỉ mục cũ. Hãy sửa lỗi trên rồi gửi /reload lần nữa.',

  docs: (status: EngineStatus) => {
    const lines = [`<b>Báo cáo đã nạp</b> (${status.documents.length} báo cáo, ${formatNumber(status.passages)} đoạn)`];
    status.documents.forEach((d, i) => {
      lines.push(
        `${i + 1}. <b>${escapeHtml(d.title)}</b>\n   Tệp: ${escapeHtml(d.source)} · Ngày: ${d.date ? escapeHtml(d.date) : 'không rõ'} · ` +
          `${formatNumber(d.passages)} đoạn`,
      );
    });
    if (status.documents.length === 0) lines.push('Chưa có báo cáo nào.');
    const mode =
      status.mode === 'lexical' ? 'từ khóa' : status.mode === 'vector' ? 'ngữ nghĩa' : 'kết hợp từ khóa và ngữ nghĩa';
    lines.push('', `Chế độ tìm kiếm: ${mode}`);
    if (status.degraded) lines.push(`⚠️ ${DEGRADED[status.degraded]}`);
    if (status.builtAt) lines.push(`Chỉ mục lập lúc: ${escapeHtml(formatTime(status.builtAt))}`);
    if (status.reloading) lines.push('⏳ Đang nạp lại…');
    if (status.skipped.length > 0) {
      lines.push('', `⚠️ <b>Lần nạp gần nhất bỏ qua ${status.skipped.length} tệp:</b>`);
      for (const s of status.skipped) lines.push(`• ${escapeHtml(s.source)}: ${escapeHtml(s.reason)}`);
    }
    return lines.join('\n');
  },

  stats: (v: StatsView) => {
    const lines = ['<b>Thống kê câu hỏi</b>'];
    for (const { window, stats: w } of v.windows) {
      lines.push(
        `${STATS_WINDOW_LABEL[window]}: ${formatNumber(w.questions)} câu hỏi · trả lời được ${formatNumber(w.answered)} ` +
          `(${percent(w.answered, w.questions)}%) · 👍 ${formatNumber(w.up)} · 👎 ${formatNumber(w.down)}`,
      );
    }
    const d = v.details;
    lines.push('', `<b>Chi tiết: ${STATS_WINDOW_LABEL[v.selected].toLowerCase()}</b>`);
    lines.push(
      d.busiestHours.length > 0
        ? `Giờ hỏi nhiều nhất: ${d.busiestHours.map((h) => `${h.hour}h–${h.hour + 1}h (${formatNumber(h.count)} câu)`).join(', ')}`
        : 'Chưa có câu hỏi nào.',
    );
    if (d.unanswered.length > 0) {
      lines.push('', '<b>Câu chưa trả lời được hỏi nhiều nhất:</b>');
      d.unanswered.forEach((u, i) => {
        lines.push(`${i + 1}. ${escapeHtml(cut(u.text))} — ${formatNumber(u.count)} lần`);
      });
    }
    if (d.latestDown.length > 0) {
      lines.push('', '<b>👎 gần nhất:</b>');
      for (const down of d.latestDown) {
        lines.push(
          `• Hỏi: ${escapeHtml(cut(down.question))}\n  Đã trả lời: ${down.answer ? `“${escapeHtml(cut(down.answer))}”` : '(không tìm thấy)'}` +
            `${down.reason ? `\n  Lý do: ${DOWN_REASON_LABEL[down.reason]}` : ''} <i>(${escapeHtml(formatTime(new Date(down.at).toISOString()))})</i>`,
        );
      }
    }
    if (v.legacy) {
      lines.push(
        '',
        `Trước khi có nhật ký (từ ${escapeHtml(formatTime(v.legacy.since))}): ${formatNumber(v.legacy.asked)} câu hỏi, ` +
          `trả lời được ${formatNumber(v.legacy.answered)}.`,
      );
    }
    const s = v.status;
    lines.push(
      '',
      `Lưu trữ: ${s.kind === 'postgres' ? 'PostgreSQL' : 'SQLite (nhúng)'} · giữ ${formatNumber(s.retentionDays)} ngày · ` +
        `đang chờ ghi: ${formatNumber(s.writer.pending)} · bị bỏ do đầy bộ đệm: ${formatNumber(s.writer.dropped)}`,
    );
    if (s.writer.failingSince !== null)
      lines.push(`⚠️ Chưa ghi được vào cơ sở dữ liệu: ${escapeHtml(s.writer.lastError ?? '')}`);
    if (s.setAside) lines.push(`⚠️ Tệp dữ liệu cũ bị hỏng đã được để riêng: ${escapeHtml(s.setAside)}`);
    if (s.damage)
      lines.push(
        `⚠️ Tệp dữ liệu bị hỏng (${escapeHtml(s.damage)}): hãy dừng bot, chuyển tệp records.sqlite sang chỗ khác rồi khởi động lại.`,
      );
    return lines.join('\n');
  },
  statsUnavailable: (reason: string) =>
    `❌ Chưa đọc được thống kê: cơ sở dữ liệu không phản hồi (${escapeHtml(reason)}). Các câu hỏi vẫn được trả lời và ghi lại khi cơ sở dữ liệu hoạt động trở lại.`,

  // --- Export (admins) ---
  exportUsage:
    'Cách dùng: <code>/export</code> (30 ngày gần nhất), <code>/export 2024-01-01</code> (từ ngày đó) hoặc ' +
    '<code>/export 2024-01-01 2024-01-31</code> (cả hai ngày đều tính).',
  exportPrivateOnly: 'Vì dữ liệu của người dân, hãy dùng /export trong tin nhắn riêng với tôi, không dùng trong nhóm.',
  exportEmpty: (from: string, to: string) => `Không có câu hỏi nào từ ${from} đến ${to}.`,
  exportCaption: (rows: number, from: string, to: string) =>
    `Nhật ký câu hỏi từ ${from} đến ${to}: ${formatNumber(rows)} dòng. Người hỏi chỉ được ghi bằng mã ẩn danh.`,

  // --- Feedback (citizens) ---
  buttonUp: '👍',
  buttonDown: '👎',
  feedbackThanks: 'Cảm ơn bạn đã đánh giá! 👍',
  feedbackAskReason: 'Cảm ơn bạn đã góp ý. Câu trả lời chưa tốt ở điểm nào? (không bắt buộc, bấm một nút)',
  feedbackReasonThanks: (reason: DownReason) =>
    `Cảm ơn bạn! Đã ghi nhận: ${DOWN_REASON_LABEL[reason]}. Văn phòng sẽ xem lại câu trả lời này.`,
  feedbackNotSaved: 'Xin lỗi, chưa ghi nhận được đánh giá lúc này. Bạn vui lòng thử lại sau.',

  // --- Privacy (citizens) ---
  privacy: (retentionDays: number) =>
    '<b>Dữ liệu bot lưu về bạn</b>\n' +
    '• Câu hỏi bạn gõ, thời gian hỏi, câu trả lời bot đưa ra (báo cáo, mục được trích) và đánh giá 👍/👎 của bạn.\n' +
    '• Bạn được ghi bằng một <b>mã ẩn danh</b>, không phải số điện thoại, tên, tên người dùng hay mã Telegram của bạn.\n\n' +
    '<b>Để làm gì</b>\nĐể văn phòng quận biết người dân cần thông tin gì, câu trả lời nào chưa đúng, và bổ sung báo cáo.\n\n' +
    `<b>Lưu bao lâu</b>\n${formatNumber(retentionDays)} ngày, sau đó tự động xóa.\n\n` +
    '<b>Quyền của bạn</b>\nGõ /forget để xóa ngay toàn bộ câu hỏi và đánh giá của bạn. ' +
    'Dữ liệu được xử lý theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.',
  forgetDone: (questions: number, votes: number) =>
    `✅ Đã xóa dữ liệu của bạn: ${formatNumber(questions)} câu hỏi và ${formatNumber(votes)} đánh giá. ` +
    'Các câu hỏi sau này (nếu có) vẫn được ghi lại như mô tả trong /privacy.',
  forgetFailed: 'Xin lỗi, chưa xóa được lúc này vì cơ sở dữ liệu không phản hồi. Bạn vui lòng thử lại sau ít phút.',

  // --- Uploads ---
  uploadUnsupported: (extensions: readonly string[]) =>
    `Tôi chỉ nhận báo cáo dạng ${extensions.map(escapeHtml).join(', ')}. Hãy gửi lại tệp đúng định dạng (gửi dạng tệp, không phải ảnh).`,
  uploadTooLarge: (sizeMb: number | null, maxMb: number) =>
    `Tệp quá lớn${sizeMb === null ? '' : ` (${sizeMb.toLocaleString('vi-VN', { maximumFractionDigits: 1 })} MB)`}; giới hạn là ${maxMb} MB. ` +
    'Hãy nén ảnh trong tệp hoặc tách báo cáo thành nhiều tệp nhỏ hơn.',
  uploadBadName: 'Tên tệp không hợp lệ. Hãy đặt tên tệp bằng chữ và số, ví dụ: bao-cao-quy-1-2024.docx.',
  uploadReceiving: (name: string) => `📥 Đang nhận và kiểm tra tệp <b>${escapeHtml(name)}</b>…`,
  uploadDownloadFailed: (kind: DownloadFailure, detail: string) => {
    const reason: Record<DownloadFailure, string> = {
      refused: 'Telegram không cho tải tệp',
      'no-path': 'Telegram không trả về đường dẫn của tệp',
      'too-large': 'tệp lớn hơn giới hạn cho phép',
      timeout: 'quá thời gian chờ',
      network: 'lỗi mạng',
      http: 'máy chủ Telegram trả lỗi',
      interrupted: 'kết nối bị ngắt khi đang tải',
    };
    return `❌ Không tải được tệp từ Telegram: ${reason[kind]}${detail ? ` (${escapeHtml(detail)})` : ''}. Hãy gửi lại sau ít phút.`;
  },
  uploadRefused: (name: string, reason: string) =>
    `❌ Tệp <b>${escapeHtml(name)}</b> không đọc được nên chưa được thêm: ${escapeHtml(reason)}\n` +
    'Các báo cáo hiện có không thay đổi.',
  uploadSaved: (name: string, title: string, replaced: boolean, renamedFrom: string | null) =>
    (replaced
      ? `✅ Đã thay báo cáo <b>${escapeHtml(name)}</b> (bản cũ được lưu trong thư mục .history).`
      : `✅ Đã thêm báo cáo <b>${escapeHtml(name)}</b>.`) +
    `\nTiêu đề: ${escapeHtml(title)}` +
    (renamedFrom ? `\nTên tệp được đổi từ “${escapeHtml(renamedFrom)}” cho an toàn.` : ''),
} as const;
