import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerQueues, startWorkers } from '../../src/platform/jobs.js';
import { housekeepingJobName } from '../../src/modules/staff/housekeeping.job.js';
import { housekeeping } from '../../src/jobs.js';
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

    const { jobs, logger } = testApp.context;
    const definitions = [housekeeping(testApp.context)];
    await registerQueues(jobs, definitions);
    await startWorkers(jobs, definitions, logger);
    // A portal session past its limit and one still live.
    await testApp.database.pool.query(
      `INSERT INTO portal_sessions (token_hash, contact_id, organization_id, expires_at)
       SELECT v.hash, co.contact_id, co.organization_id, now() + v.lasts
         FROM (SELECT contact_id, organization_id FROM contact_organizations LIMIT 1) co,
              (VALUES ('expired', interval '-1 minute'), ('live', interval '1 hour')) AS v(hash, lasts)`,
    );
    await jobs.send(housekeepingJobName, {});

    await expect.poll(sessionCount, { timeout: 15_000, interval: 250 }).toBe(1);
    const portal = await testApp.database.pool.query('SELECT token_hash FROM portal_sessions');
    expect(portal.rows).toEqual([{ token_hash: 'live' }]);
    expect((await live.get('/api/organizations')).statusCode).toBe(200);
  });
});
