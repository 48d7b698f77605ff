/**
 * A fresh key for one request that moves money, sent as its Idempotency-Key: the server answers
 * a second request with the same key with what the first one did (a double click, a retry after
 * a lost answer). crypto.randomUUID needs a secure page (https or localhost); this does not.
 */
export function newRequestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
