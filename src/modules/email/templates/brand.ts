/** The MSP's branding, from settings, that every email wears. */
export interface Brand {
  mspName: string;
  logoUrl: string;
  brandColor: string;
  supportEmail: string;
  supportPhone: string;
  portalUrl: string;
}

export const sampleBrand: Brand = {
  mspName: 'Northwind Managed IT',
  logoUrl: '',
  brandColor: '#1c7ed6',
  supportEmail: 'support@northwind.example',
  supportPhone: '(317) 555-0199',
  portalUrl: 'http://localhost:3000/portal',
};
