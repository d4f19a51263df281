/**
 * Escapes text for Telegram's HTML parse mode, which needs exactly these three escaped (we never build
 * attributes from user or report text, so quotes can stay).
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
