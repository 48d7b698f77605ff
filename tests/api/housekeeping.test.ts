import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueues, startWorkers } from '../../src/platform/jobs.js';
import { housekeepingJob, housekeepingJobName } from '../../src/modules/staff/housekeeping.job.js';
import { signedInAs, startTestApp, type TestApp } from '../support/test-app.js';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await startTestApp();
});
afterAll(async () => testApp.close());

async function sessionCount(): Promise<number> {
  const result = await testApp.database.pool.query('SELECT count(*)::int AS n FROM staff_sessions');
  return result.rows[0].n;
}

describe('housekeeping job', () => {
  it('removes expired and idle staff sessions through the job queue, keeping live ones', async () => {
    const live = await signedInAs(testApp.app, 'billing');
    await signedInAs(testApp.app, 'read_only');
    await signedInAs(testApp.app, 'master_admin');
    // One session past its absolute limit, one idle for longer than allowed.
    await testApp.database.pool.query(`
      UPDATE staff_sessions SET expires_at = now() - interval '1 minute'
       WHERE staff_user_id = (SELECT id FROM staff_users WHERE role = 'read_only')`);
    await testApp.database.pool.query(`
      UPDATE staff_sessions SET last_seen_at = now() - interval '1 day'
       WHERE staff_user_id = (SELECT id FROM staff_users WHERE role = 'master_admin')`);
    expect(await sessionCount()).toBe(3);

    const { jobs, logger, config, pool } = testApp.context;
    const definitions = [
      housekeepingJob({ pool, idleMinutes: config.SESSION_IDLE_MINUTES, logger }),
    ];
    await registerQueues(jobs, definitions);
    await startWorkers(jobs, definitions, logger);
    await jobs.send(housekeepingJobName, {});

    await expect.poll(sessionCount, { timeout: 15_000, interval: 250 }).toBe(1);
    expect((await live.get('/api/organizations')).statusCode).toBe(200);
  });
});
