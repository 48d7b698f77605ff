export * from '../modules/staff/staff.schema.js';
export * from '../modules/organizations/organizations.schema.js';
export * from '../modules/access-profiles/access-profiles.schema.js';
export * from '../modules/contacts/contacts.schema.js';
export * from '../modules/audit/audit.schema.js';
export * from '../modules/settings/settings.schema.js';
export * from '../modules/email/email.schema.js';
export * from '../modules/portal/portal.schema.js';
