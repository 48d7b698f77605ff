import { describe, expect, it } from 'vitest';
import { missingGlyph, pdfFaceFor } from './pdf.js';

describe('choosing the PDF face for a text', () => {
  it('writes Latin, Greek and Cyrillic in DejaVu Sans, regular or bold', () => {
    for (const text of ['Dvořák & Syn s.r.o.', 'Zażółć gęślą jaźń', 'Αθήνα', 'ООО «Ромашка»']) {
      expect(pdfFaceFor(text)).toEqual({ face: 'Sans', text });
      expect(pdfFaceFor(text, true)).toEqual({ face: 'Sans-Bold', text });
    }
  });

  it('writes a text with CJK or emoji wholly in the fallback, nothing after them lost', () => {
    expect(pdfFaceFor('東京都 Tail')).toEqual({ face: 'Fallback', text: '東京都 Tail' });
    expect(pdfFaceFor('Launch 🚀 Tail', true)).toEqual({
      face: 'Fallback',
      text: 'Launch 🚀 Tail',
    });
  });

  it('shows a character no font has as a box, and leaves out invisible joiners', () => {
    // U+10FFFD is a private-use character: no font draws it.
    expect(pdfFaceFor('A\u{10FFFD}B')).toEqual({ face: 'Sans', text: `A${missingGlyph}B` });
    expect(pdfFaceFor('Heart \u2764\uFE0F ok').text).toBe('Heart \u2764 ok');
    expect(pdfFaceFor('a\u200Db').text).toBe('ab');
  });
});
