/** An origin no page can have: what `next` is resolved against to see where it really leads. */
const probeOrigin = 'https://next.invalid';

/**
 * The page to go to after signing in, from a `?next=` parameter, only when it stays on this
 * site under `within` (such as "/portal"): else `fallback`. The answer is the path as the
 * browser resolves it (".." and "%2e%2e" segments, backslashes and the like worked out), so a
 * crafted value such as "/portal/..//evil.example" cannot leave the site, whatever later
 * navigation makes of it. `refused` lists paths that must not be returned to (the sign-in
 * page itself).
 */
export function localPath(
  next: string | null,
  options: { within: string; fallback: string; refused: string[] },
): string {
  // Browsers read a backslash as a slash and drop tabs and line breaks: none belongs in a path.
  const oddCharacter = [...(next ?? '')].some((c) => c === '\\' || c.charCodeAt(0) < 0x20);
  if (!next || !next.startsWith('/') || oddCharacter) return options.fallback;
  let url: URL;
  try {
    url = new URL(next, probeOrigin);
  } catch {
    return options.fallback;
  }
  const path = url.pathname;
  const inside =
    options.within === '/' || path === options.within || path.startsWith(`${options.within}/`);
  const refused = options.refused.some((p) => path === p || path.startsWith(`${p}/`));
  if (url.origin !== probeOrigin || path.startsWith('//') || !inside || refused) {
    return options.fallback;
  }
  return `${path}${url.search}${url.hash}`;
}
