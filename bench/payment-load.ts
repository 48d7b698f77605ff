/**
 * The load driver of the payments benchmark, run as a process of its own (like autocannon's
 * worker in the other cases, so it does not share the servers' event loop). Autocannon repeats
 * the same requests on every connection; a payment bench needs each request to pay another
 * organization's invoice exactly once, so this driver hands out a list of distinct requests to
 * `connections` concurrent loops (one keep-alive socket each) until the list or the time runs
 * out.
 *
 * Protocol (IPC): the parent sends one LoadPlan; the driver answers one LoadOutcome and exits.
 */
import { performance } from 'node:perf_hooks';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadPlan {
  baseUrl: string;
  connections: number;
  /** Stop starting requests after this long (the ones in flight finish). */
  maxSeconds: number;
  /** Sent first, not counted (the same connections then go on with `requests`). */
  warmup: LoadRequest[];
  requests: LoadRequest[];
}

export interface LoadOutcome {
  /** Requests answered 2xx. */
  completed: number;
  /** Requests sent (after the warm-up). */
  sent: number;
  /** Answers by HTTP status, with the first body of each non-2xx status. */
  statuses: Record<string, number>;
  samples: Record<string, string>;
  /** Connection errors (no answer at all). */
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

async function run(plan: LoadPlan): Promise<LoadOutcome> {
  const statuses: Record<string, number> = {};
  const samples: Record<string, string> = {};
  const latencies: number[] = [];
  let errors = 0;
  let completed = 0;

  async function send(request: LoadRequest, counted: boolean) {
    const started = performance.now();
    try {
      const response = await fetch(plan.baseUrl + request.path, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
      });
      const text = await response.text();
      if (!counted) return;
      latencies.push(performance.now() - started);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status >= 200 && response.status < 300) completed += 1;
      else samples[response.status] ??= text.slice(0, 500);
    } catch (error) {
      if (counted) {
        errors += 1;
        samples.error ??= String(error);
      }
    }
  }

  /** `connections` loops taking the next request of `list` until it ends or time is up. */
  async function drive(list: LoadRequest[], counted: boolean, deadline: number) {
    let next = 0;
    const loop = async () => {
      while (next < list.length && performance.now() < deadline) {
        const request = list[next++]!;
        await send(request, counted);
      }
    };
    await Promise.all(Array.from({ length: plan.connections }, loop));
    return next;
  }

  await drive(plan.warmup, false, Number.POSITIVE_INFINITY);
  const started = performance.now();
  const sent = await drive(plan.requests, true, started + plan.maxSeconds * 1000);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (share: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]!
      : 0;
  return {
    completed,
    sent,
    statuses,
    samples,
    errors,
    seconds,
    p50: at(0.5),
    p99: at(0.99),
  };
}

process.once('message', (plan: LoadPlan) => {
  run(plan).then(
    (outcome) => process.send!(outcome, () => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
