/**
 * The query parameter naming the organization a portal link is about (`?org=<organizationId>`).
 * The portal acts for one organization at a time (after sign-in, the one the contact last
 * used); emails build their links with it (src/modules/email/portal-links.ts) and the portal
 * web app, on a URL that has it, switches to that organization before showing the page, then
 * drops it from the address bar (web/src/portal/organization-from-link.tsx). Decision 21.
 */
export const portalOrganizationParam = 'org';
