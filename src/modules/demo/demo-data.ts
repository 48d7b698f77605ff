import { eq, sql } from 'drizzle-orm';
import { withTransaction, type Pool } from '../../platform/database.js';
import { hashPassword } from '../../platform/passwords.js';
import type { Logger } from '../../platform/logger.js';
import { accessProfiles } from '../access-profiles/access-profiles.schema.js';
import { contactOrganizations, contacts } from '../contacts/contacts.schema.js';
import { organizations } from '../organizations/organizations.schema.js';
import { staffUsers, type StaffRole } from '../staff/staff.schema.js';
import { settings } from '../settings/settings.schema.js';
import { seedDemoTickets } from './demo-tickets.js';
import { seedDemoInvoices } from './demo-invoices.js';
import { companyAddress, companyName, emailFor, personName, phoneFor } from './fake-names.js';

/** Demo sign-ins, printed at start. A real installation sets SEED_DEMO=false. */
export const demoStaff: { email: string; name: string; role: StaffRole; password: string }[] = [
  {
    email: 'admin@portico.test',
    name: 'Ann Perkins',
    role: 'master_admin',
    password: 'portico-admin-demo',
  },
  {
    email: 'billing@portico.test',
    name: 'Ben Wyatt',
    role: 'billing',
    password: 'portico-billing-demo',
  },
  {
    email: 'readonly@portico.test',
    name: 'Jerry Gergich',
    role: 'read_only',
    password: 'portico-readonly-demo',
  },
];

const extraOrganizations = 50;
const extraContacts = 200;

/**
 * Seeds the demo installation once: staff users, the two organizations of the help pages,
 * and about fifty more with two hundred contacts. Later starts find it and change nothing.
 */
export async function seedDemoData(options: { pool: Pool; logger: Logger }) {
  const existing = await options.pool.query('SELECT email FROM staff_users WHERE email = $1', [
    demoStaff[0]!.email,
  ]);
  const staffLogins = demoStaff.map(({ email, role, password }) => ({ email, role, password }));
  if (existing.rowCount) return { created: false, staffLogins };
  const anyStaff = await options.pool.query('SELECT 1 FROM staff_users LIMIT 1');
  if (anyStaff.rowCount) return { created: false, staffLogins: [] };

  const passwordHashes = await Promise.all(demoStaff.map((s) => hashPassword(s.password)));
  await withTransaction(options.pool, async ({ db, client }) => {
    await db.insert(staffUsers).values(
      demoStaff.map((s, i) => ({
        email: s.email,
        name: s.name,
        role: s.role,
        passwordHash: passwordHashes[i]!,
      })),
    );
    await db
      .update(settings)
      .set({
        mspName: 'Northwind Managed IT',
        brandColor: '#1c7ed6',
        supportEmail: 'support@northwind.example',
        supportPhone: '(317) 555-0199',
        // No portal URL: links follow PUBLIC_URL (this start's address) until staff set one.
      })
      .where(eq(settings.id, 1));
    const profiles = await db.select().from(accessProfiles);
    const profileId = (name: string) => profiles.find((p) => p.name === name)?.id ?? null;

    const [pawnee] = await db
      .insert(organizations)
      .values({
        name: 'Pawnee Parks Dept.',
        addressLine1: '1 Main St',
        city: 'Pawnee',
        region: 'IN',
        postalCode: '47555',
        notes: 'until October, our new contact will be Bob from accounting.',
      })
      .returning();
    const [demoCompany] = await db
      .insert(organizations)
      .values({
        name: 'Demo Company',
        addressLine1: 'Test Address',
        city: 'TestCity',
        region: 'ND',
        postalCode: '58103',
        lastLoginAt: new Date('2018-03-08T23:34:41-06:00'),
      })
      .returning();
    const [leslie, demoOwner, april] = await db
      .insert(contacts)
      .values([
        { name: 'Leslie Knope', email: 'lknope@pawnee-indiana.gov', phone: '(317) 555-0101' },
        { name: 'Demo Owner', email: 'demo@example.com', phone: '' },
        { name: 'April Ludgate', email: 'aludgate@pawnee-indiana.gov', phone: '(317) 555-0102' },
      ])
      .returning();
    await db.insert(contactOrganizations).values([
      {
        contactId: leslie!.id,
        organizationId: pawnee!.id,
        accessProfileId: profileId('Billing Admin'),
        isDefaultNotification: true,
      },
      {
        contactId: april!.id,
        organizationId: pawnee!.id,
        accessProfileId: profileId('User'),
      },
      {
        contactId: demoOwner!.id,
        organizationId: demoCompany!.id,
        accessProfileId: profileId('Billing Admin'),
        isDefaultNotification: true,
      },
      // One person, two companies: Leslie also pays Demo Company's bills, as Accounts Payable.
      {
        contactId: leslie!.id,
        organizationId: demoCompany!.id,
        accessProfileId: profileId('Accounts Payable'),
      },
    ]);

    const others = await db
      .insert(organizations)
      .values(
        Array.from({ length: extraOrganizations }, (_, i) => ({
          name: companyName(i),
          ...companyAddress(i),
          createdAt: sql`now() - make_interval(days => ${i * 9})`,
        })),
      )
      .returning({ id: organizations.id });
    const people = await db
      .insert(contacts)
      .values(
        Array.from({ length: extraContacts }, (_, i) => {
          const name = personName(i);
          return { name, email: emailFor(name, i % extraOrganizations, i), phone: phoneFor(i) };
        }),
      )
      .returning({ id: contacts.id });
    const profileCycle = [
      profileId('Billing Admin'),
      profileId('Accounts Payable'),
      profileId('User'),
      null,
    ];
    await db.insert(contactOrganizations).values(
      people.map((person, i) => ({
        contactId: person.id,
        organizationId: others[i % extraOrganizations]!.id,
        accessProfileId: profileCycle[i % profileCycle.length] ?? null,
        isDefaultNotification: i < extraOrganizations,
      })),
    );
    await db
      .update(organizations)
      .set({ lastLoginAt: sql`now() - make_interval(hours => 7)` })
      .where(eq(organizations.id, pawnee!.id));
    await seedDemoInvoices(client, {
      pawnee: pawnee!.id,
      demoCompany: demoCompany!.id,
      others: others.map((o) => o.id),
    });
    await seedDemoTickets(client, { pawnee: pawnee!.id, demoCompany: demoCompany!.id });
  });
  options.logger.info('demo data seeded');
  return { created: true, staffLogins };
}
