/**
 * A name or value that ends a sentence, with the sentence's full stop: "Dvořák & Syn s.r.o."
 * stays as it is instead of becoming "s.r.o..", and "Yahoo!" takes no period after its "!".
 * Every template ends a sentence on a name or value through this, in the HTML and (read off
 * it) the text part alike.
 */
export function endSentence(value: string): string {
  return /[.!?…]$/u.test(value.trimEnd()) ? value.trimEnd() : `${value}.`;
}
