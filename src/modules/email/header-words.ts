/** One RFC 2047 encoded word: =?charset?B|Q?text?= (an RFC 2231 language suffix allowed). */
const encodedWord = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

/** The bytes of a Q-encoded word's text: `_` is a space, `=XX` a byte in hex. */
function qBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    const hex = char === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(char === '_' ? 0x20 : char.charCodeAt(0) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/**
 * A header value as its reader should see it: RFC 2047 encoded words (how SMTP carries a
 * subject or a name in any script, e.g. `=?UTF-8?Q?Dvo=C5=99=C3=A1k?=`) decoded to text. Runs
 * of adjacent words in one charset are joined as bytes before decoding (a letter may be split
 * between two words) and the space between encoded words is dropped, as RFC 2047 §6.2 says;
 * a word in a charset this runtime does not know stays as it was. Text without encoded words
 * comes back unchanged.
 */
export function decodeHeaderWords(value: string): string {
  let decoded = '';
  let last = 0;
  let run: { charset: string; bytes: Buffer[]; raw: string } | null = null;
  const flush = () => {
    if (!run) return;
    try {
      decoded += new TextDecoder(run.charset).decode(Buffer.concat(run.bytes));
    } catch {
      decoded += run.raw;
    }
    run = null;
  };
  for (const match of value.matchAll(encodedWord)) {
    const between = value.slice(last, match.index);
    if (!run || !/^\s*$/.test(between)) {
      flush();
      decoded += between;
    }
    const charset = match[1]!.toLowerCase();
    const bytes =
      match[2]!.toUpperCase() === 'B' ? Buffer.from(match[3]!, 'base64') : qBytes(match[3]!);
    if (run && run.charset !== charset) flush();
    run ??= { charset, bytes: [], raw: '' };
    run.bytes.push(bytes);
    run.raw += match[0];
    last = match.index + match[0].length;
  }
  flush();
  return decoded + value.slice(last);
}
