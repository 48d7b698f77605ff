import { useServiceCategories, useTaxRates } from '../invoices/invoices-api';
import {
  useCreateServiceCategory,
  useCreateTaxRate,
  useUpdateServiceCategory,
  useUpdateTaxRate,
} from './billing-api';
import { CatalogSection } from './catalog-section';

/** Configuration > Billing > Service Categories: every invoice has one. */
export function ServiceCategoriesSection({ canEdit }: { canEdit: boolean }) {
  const create = useCreateServiceCategory();
  const update = useUpdateServiceCategory();
  return (
    <CatalogSection
      canEdit={canEdit}
      headingId="service-categories-heading"
      title="Service Categories"
      pluralName="service categories"
      addLabel="Add Category"
      description="Every invoice has one. Archived categories stay on the invoices that use them but cannot be chosen for new ones."
      rows={useServiceCategories()}
      addWithRate={false}
      notChangedTitle="Service category not changed"
      create={async ({ name }) => {
        await create.mutateAsync({ name });
        return `${name} added`;
      }}
      update={update.mutateAsync}
      updating={update.isPending}
    />
  );
}

/** Configuration > Billing > Tax Rates: applied to an invoice's taxable lines. */
export function TaxRatesSection({ canEdit }: { canEdit: boolean }) {
  const create = useCreateTaxRate();
  const update = useUpdateTaxRate();
  return (
    <CatalogSection
      canEdit={canEdit}
      headingId="tax-rates-heading"
      title="Tax Rates"
      pluralName="tax rates"
      addLabel="Add Tax Rate"
      description="Applied to the taxable lines of an invoice. Invoices keep the rate they were made with."
      rows={useTaxRates()}
      extraColumns={[
        {
          accessor: 'ratePercent',
          title: 'Rate',
          width: 120,
          textAlign: 'right',
          render: (row) => `${row.ratePercent}%`,
        },
      ]}
      addWithRate
      notChangedTitle="Tax rate not changed"
      create={async ({ name, ratePercent }) => {
        await create.mutateAsync({ name, ratePercent });
        return `${name} (${ratePercent}%) added`;
      }}
      update={update.mutateAsync}
      updating={update.isPending}
    />
  );
}
