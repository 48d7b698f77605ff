/**
 * A start that cannot go on, in one sentence a person can act on: what is wrong and how to
 * fix it. `npm start` prints it after "Portico could not start:" and nothing else.
 */
export class StartupError extends Error {}

/**
 * Turns a server's EADDRINUSE into a StartupError naming the port and the variable that sets
 * it; any other error is answered unchanged.
 */
export function explainListenError(
  error: unknown,
  where: { port: number; host: string; variable: string; what: string },
): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `${where.what} cannot listen on ${where.host} port ${where.port}: another program (perhaps another Portico) already uses it; stop that program, or set ${where.variable} to a free port.`,
    );
  }
  if (code === 'EACCES') {
    return new StartupError(
      `${where.what} is not allowed to listen on ${where.host} port ${where.port}: ports below 1024 need administrator rights; set ${where.variable} to a port above 1023.`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(
      `${where.what} cannot listen on ${where.host}: this machine has no such address; set HOST to one of its addresses, or to 0.0.0.0 for all of them.`,
    );
  }
  return error;
}

/** What to print for a start that failed: the sentence, or the best words an error has. */
export function startupFailureText(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === 'string' && error) return error;
  return 'it stopped without saying why; start again with LOG_LEVEL=debug to see each step.';
}
