import { describe, expect, it } from 'vitest';
import { decodeHeaderWords } from './header-words.js';

describe('decodeHeaderWords', () => {
  it('decodes Q and B words, joining adjacent ones and the letters split between them', () => {
    expect(
      decodeHeaderWords(
        '=?UTF-8?Q?Account_summary_for_Dvo=C5=99=C3=A1k_=26?= =?UTF-8?Q?_Syn_s=2Er=2Eo=2E?=',
      ),
    ).toBe('Account summary for Dvořák & Syn s.r.o.');
    // "ř" (C5 99) split across two words.
    expect(decodeHeaderWords('=?utf-8?Q?Dvo=C5?=\r\n =?utf-8?Q?=99=C3=A1k?=')).toBe('Dvořák');
    expect(decodeHeaderWords('=?UTF-8?B?SmnFmcOt?= <jiri@dvorak.example>')).toBe(
      'Jiří <jiri@dvorak.example>',
    );
    expect(decodeHeaderWords('=?ISO-8859-1?Q?Caf=E9?= ok')).toBe('Café ok');
  });

  it('leaves plain text, and words in an unknown charset, as they are', () => {
    expect(decodeHeaderWords('Invoice INV-1 = $5? yes')).toBe('Invoice INV-1 = $5? yes');
    expect(decodeHeaderWords('=?x-unknown?Q?abc?=')).toBe('=?x-unknown?Q?abc?=');
  });
});
