import { Stack, Text, Title } from '@mantine/core';
import { notifySuccess } from '../../api/errors';
import { AutopayEditor } from '../../components/autopay-editor';
import { AutopayPreviewTable } from '../../components/autopay-preview';
import { ReadOnlyNote } from '../../components/read-only-note';
import {
  usePortalAutopay,
  usePortalAutopayPreview,
  useSavePortalAutopay,
} from '../api/portal-autopay';
import { usePaymentMethods } from '../api/portal-payment-methods';
import { usePortalBranding, usePortalSession } from '../api/portal-session';
import { PortalQueryState } from '../components/portal-query-state';
import { FeaturePage } from './feature-pages';

/**
 * Configuration > AutoPay: "AutoPay Enabled", the ordered rules (which kinds of services, which
 * method, when, up to what amount) and the preview of what they would charge. A rule the MSP
 * locked, or AutoPay it made required, shows greyed with the reason. Staff viewing the portal,
 * and contacts whose access level only lets them look, see it read only.
 */
export function AutoPayPage() {
  const query = usePortalAutopay();
  const session = usePortalSession().data;
  const { mspName } = usePortalBranding();
  const methods = usePaymentMethods();
  const save = useSavePortalAutopay();
  const preview = usePortalAutopayPreview(query.isSuccess);
  const viewer = Boolean(session?.viewer);
  return (
    <FeaturePage
      title="AutoPay"
      intro="Choose which invoices are paid automatically, with which payment method, and when."
    >
      <PortalQueryState query={query} loadingLabel="Loading AutoPay…">
        {(autopay) => {
          const canChange = autopay.canChange && !viewer;
          return (
            <Stack gap="lg">
              {!canChange && (
                <ReadOnlyNote>
                  {viewer
                    ? 'You are viewing the portal as this contact: AutoPay is read only.'
                    : `Your access level lets you see AutoPay, not change it. Ask ${mspName} if you need to.`}
                </ReadOnlyNote>
              )}
              <AutopayEditor
                side="portal"
                settings={autopay}
                canChange={canChange}
                // Without "manage payment methods" the list is refused: rules still name theirs.
                methods={methods.isError ? null : (methods.data?.paymentMethods ?? [])}
                mspName={mspName}
                saving={save.isPending}
                onSave={async (body) => {
                  await save.mutateAsync({ enabled: body.enabled, rules: stripStaffFields(body) });
                  notifySuccess('AutoPay saved.');
                }}
              />
              <section aria-labelledby="autopay-preview-heading">
                <Title order={2} size="h4" id="autopay-preview-heading" mb="xs">
                  Preview
                </Title>
                <Text size="sm" c="dimmed" mb="sm">
                  The open invoices the saved rules would charge, when, and with which method.
                </Text>
                <PortalQueryState query={preview} loadingLabel="Loading the preview…">
                  {(data) => (
                    <AutopayPreviewTable preview={data} autopayEnabled={autopay.enabled} />
                  )}
                </PortalQueryState>
              </section>
            </Stack>
          );
        }}
      </PortalQueryState>
    </FeaturePage>
  );
}

/** The portal's body has no lock: only staff lock rules. */
function stripStaffFields(body: Parameters<Parameters<typeof AutopayEditor>[0]['onSave']>[0]) {
  return body.rules.map(({ locked: _locked, ...rule }) => ({
    enabled: rule.enabled ?? true,
    serviceCategoryIds: rule.serviceCategoryIds ?? [],
    paymentMethodId: rule.paymentMethodId ?? null,
    timing: rule.timing,
    days: rule.days ?? null,
    dayOfMonth: rule.dayOfMonth ?? null,
    maxAmountCents: rule.maxAmountCents ?? null,
    ...(rule.id ? { id: rule.id } : {}),
  }));
}
