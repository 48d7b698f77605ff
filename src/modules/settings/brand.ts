import { defaultDateFormat, type DateDisplay } from '../../shared/dates.js';

/** The MSP's branding (Configuration > Branding). */
export interface Branding {
  mspName: string;
  logoUrl: string;
  brandColor: string;
  supportEmail: string;
  supportPhone: string;
  portalUrl: string;
}

/**
 * What every email and document wears, from settings: the branding, and how dates are written
 * (the MSP's date format and time zone, Configuration > Billing).
 */
export interface Brand extends Branding, DateDisplay {}

export const sampleBrand: Brand = {
  mspName: 'Northwind Managed IT',
  logoUrl: '',
  brandColor: '#1c7ed6',
  supportEmail: 'support@northwind.example',
  supportPhone: '(317) 555-0199',
  portalUrl: 'http://localhost:3000/portal',
  dateFormat: defaultDateFormat,
  timeZone: 'UTC',
};
