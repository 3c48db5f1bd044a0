/**
 * Inline keyboards: each button runs a command line when pressed, as if the presser had typed it
 * (so authz is checked for whoever presses, not whoever asked). Telegram carries 1–64 bytes of
 * callback data: a short command line travels as is, a longer one (a long builder name) as a
 * number that refers to it here, as Buildbot's query cache does.
 */
import type { InlineKeyboardMarkup } from 'grammy/types';

export interface Button {
  text: string;
  /** The command line pressing it runs (`force build linux`). */
  command: string;
}

const MAX_CALLBACK_BYTES = 64;
/** Keyboards older than this many long commands answer "no longer valid". */
const MAX_REMEMBERED = 1000;

export class ButtonCommands {
  private readonly remembered = new Map<string, string>();
  private next = 1;

  private data(command: string): string {
    if (Buffer.byteLength(command) <= MAX_CALLBACK_BYTES) return command;
    const key = String(this.next++);
    this.remembered.set(key, command);
    for (const oldest of this.remembered.keys()) {
      if (this.remembered.size <= MAX_REMEMBERED) break;
      this.remembered.delete(oldest);
    }
    return key;
  }

  /** The command a button's data stands for; undefined for a forgotten button. Commands never start with a digit. */
  command(data: string): string | undefined {
    return /^\d+$/.test(data) ? this.remembered.get(data) : data;
  }

  markup(rows: Button[][]): InlineKeyboardMarkup {
    return {
      inline_keyboard: rows.map((row) => row.map((b) => ({ text: b.text, callback_data: this.data(b.command) }))),
    };
  }
}

/** Quotes one word for the commands' shell-like parsing: a builder named `my "odd" builder` stays one word. */
export function quoteWord(word: string): string {
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}
