import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('starts on port 3000 with the embedded database when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SEED_DEMO).toBe(true);
  });

  it('names the variable and the reason for a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrowError(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrowError(
      /DATABASE_URL: must start with postgres/,
    );
    expect(() => loadConfig({ SEED_DEMO: 'maybe' })).toThrowError(/SEED_DEMO/);
  });

  it('reads booleans written the usual ways', () => {
    expect(loadConfig({ SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(true);
  });

  it('with PAYMENT_GATEWAY=stripe, names each Stripe key that is missing or malformed', () => {
    expect(() => loadConfig({ PAYMENT_GATEWAY: 'stripe' })).toThrowError(ConfigError);
    expect(() =>
      loadConfig({ PAYMENT_GATEWAY: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1' }),
    ).toThrowError(
      /STRIPE_PUBLISHABLE_KEY: is required when PAYMENT_GATEWAY=stripe\n {2}STRIPE_WEBHOOK_SECRET: is required/,
    );
    expect(() => loadConfig({ STRIPE_SECRET_KEY: 'pk_test_1' })).toThrowError(
      /STRIPE_SECRET_KEY: must be a Stripe secret key/,
    );
    const stripe = loadConfig({
      PAYMENT_GATEWAY: 'stripe',
      STRIPE_SECRET_KEY: 'sk_test_51Portico',
      STRIPE_PUBLISHABLE_KEY: 'pk_test_51Portico',
      STRIPE_WEBHOOK_SECRET: 'whsec_Portico',
    });
    expect(stripe.PAYMENT_GATEWAY).toBe('stripe');
    // The sandbox, the default, needs none of them.
    expect(loadConfig({}).PAYMENT_GATEWAY).toBe('sandbox');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });
});

describe('.env.example', () => {
  it('documents every variable the configuration reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8');
    const { configSchema } = await import('./config.js');
    const undocumented = Object.keys(configSchema.shape).filter(
      (name) => !new RegExp(`^#? ?${name}=`, 'm').test(example),
    );
    expect(undocumented).toEqual([]);
  });
});
