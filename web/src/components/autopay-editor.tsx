import { useEffect, useRef } from 'react';
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconArrowDown, IconArrowUp, IconLock, IconPlus, IconTrash } from '@tabler/icons-react';
import type { z } from 'zod';
import {
  autopayTimingLabels,
  autopayTimings,
  maxAutopayDays,
  maxAutopayRules,
  type AutopayTiming,
  type portalAutopay,
  type staffAutopayBody,
} from '../../../src/shared/contract/autopay';
import type { Answer } from '../../../src/shared/contract/common';
import { ApiError } from '../api/client';
import { showApiError } from '../api/errors';
import { minorToInput, parseAmount } from '../lib/money';
import { maxInvoiceTotalCents } from '../../../src/shared/invoice-limits';
import { UndoSaveButtons } from './undo-save-buttons';

/** What the editor saves: the staff body; the portal's page leaves out the MSP's fields. */
export type AutopayEditorBody = z.input<typeof staffAutopayBody>;

/** A saved method the rules may name. */
export interface AutopayMethodChoice {
  id: string;
  /** The client's own name for it ("Office Visa"), shown before the brand and last digits. */
  friendlyName: string;
  label: string;
  isDefault: boolean;
  unavailableReason: string | null;
}

/** Which AutoPay the editor shows: the fields portal and staff answers share. */
type AutopaySettings = Pick<
  Answer<typeof portalAutopay>,
  'enabled' | 'required' | 'currency' | 'rules' | 'serviceCategories' | 'authorization'
>;

/**
 * A rule as the form holds it: the API's names, so a 400 naming `rules.0.maxAmountCents` lands
 * under its box; numbers and the cap as typed (text), read when saved.
 */
interface RuleDraft {
  key: string;
  id: string | undefined;
  enabled: boolean;
  locked: boolean;
  /** Locked when the page loaded: on the portal it cannot be changed, moved or removed. */
  lockedBefore: boolean;
  serviceCategoryIds: string[];
  /** '' : the default method. */
  paymentMethodId: string;
  timing: AutopayTiming;
  days: number | string;
  dayOfMonth: number | string;
  maxAmountCents: string;
}

interface EditorValues {
  enabled: boolean;
  required: boolean;
  rules: RuleDraft[];
  authorizationText: string;
  authorizedBy: string;
  note: string;
}

let nextKey = 0;
const newKey = () => `rule-${(nextKey += 1)}`;

function draftsOf(settings: AutopaySettings): EditorValues {
  return {
    enabled: settings.enabled,
    required: settings.required,
    rules: settings.rules.map((rule) => ({
      key: rule.id,
      id: rule.id,
      enabled: rule.enabled,
      locked: rule.locked,
      lockedBefore: rule.locked,
      serviceCategoryIds: rule.serviceCategoryIds,
      paymentMethodId: rule.paymentMethodId ?? '',
      timing: rule.timing,
      days: rule.days ?? '',
      dayOfMonth: rule.dayOfMonth ?? '',
      maxAmountCents:
        rule.maxAmountCents === null ? '' : minorToInput(rule.maxAmountCents, settings.currency),
    })),
    authorizationText: '',
    authorizedBy: '',
    note: '',
  };
}

function blankRule(): RuleDraft {
  return {
    key: newKey(),
    id: undefined,
    enabled: true,
    locked: false,
    lockedBefore: false,
    serviceCategoryIds: [],
    paymentMethodId: '',
    timing: 'due_date',
    days: '',
    dayOfMonth: '',
    maxAmountCents: '',
  };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const needsDays = (timing: AutopayTiming) =>
  timing === 'before_due_date' || timing === 'after_due_date' || timing === 'after_invoice_date';

/**
 * A rule's days or day of the month as typed, checked with the API's own words (PUT …/autopay
 * refuses the same), so every rule's mistake shows at once under its box instead of the first
 * one the server meets. null: fine.
 */
function numberProblem(value: number | string, kind: 'days' | 'dayOfMonth'): string | null {
  if (value === '') {
    return kind === 'days'
      ? `Is required: how many days (0 to ${maxAutopayDays})`
      : 'Is required: a day of the month from 1 to 31';
  }
  const number = Number(value);
  if (kind === 'days') {
    if (!Number.isInteger(number)) return 'Must be a whole number of days';
    if (number < 0) return 'Cannot be negative';
    if (number > maxAutopayDays) return `Must be at most ${maxAutopayDays}`;
    return null;
  }
  if (!Number.isInteger(number) || number < 1 || number > 31) {
    return 'Must be a day of the month from 1 to 31 (31 is the month’s last day)';
  }
  return null;
}

/**
 * The API names the client's authorization as one object (`authorization`,
 * `authorization.text`, `authorization.authorizedBy`); the form keeps its two boxes apart, so
 * the answer is put under the box it is about instead of a notice naming an API field.
 */
function onFormFields(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  const boxes: Record<string, string> = {
    authorization: 'authorizationText',
    'authorization.text': 'authorizationText',
    'authorization.authorizedBy': 'authorizedBy',
  };
  return new ApiError(
    error.status,
    error.code,
    error.message,
    error.fields.map((f) => ({ ...f, field: boxes[f.field] ?? f.field })),
  );
}

/**
 * The AutoPay editor the portal's Configuration > AutoPay and the organization page share:
 * "AutoPay Enabled", then the ordered rules (which kinds of services, which method or the
 * default one, when, an optional cap, on or off), Undo Changes / Save. Staff also lock rules,
 * make AutoPay required and record the client's authorization. On the portal a locked rule,
 * or AutoPay the MSP made required, shows greyed with the reason and cannot be changed.
 */
export function AutopayEditor({
  side,
  settings,
  canChange,
  methods,
  mspName,
  saving,
  onSave,
}: {
  side: 'portal' | 'staff';
  settings: AutopaySettings;
  canChange: boolean;
  /** null: this user may not list the methods (the portal's "manage payment methods"). */
  methods: AutopayMethodChoice[] | null;
  mspName: string;
  saving: boolean;
  onSave: (body: AutopayEditorBody) => Promise<unknown>;
}) {
  const form = useForm<EditorValues>({ initialValues: draftsOf(settings) });
  const formElement = useRef<HTMLFormElement>(null);
  const staff = side === 'staff';
  // A save (or another tab's) answers new settings: the form starts again from them.
  useEffect(() => {
    const values = draftsOf(settings);
    form.setInitialValues(values);
    form.setValues(values);
    form.resetDirty(values);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settings]);

  const values = form.getValues();
  const defaultMethod = methods?.find((m) => m.isDefault);
  // The client's own name first, as Pay Selected lists them: two cards of one brand differ.
  const named = (m: AutopayMethodChoice) => `${m.friendlyName} (${m.label})`;
  const methodChoices = [
    {
      value: '',
      label:
        methods === null
          ? 'The default method'
          : `The default method: ${defaultMethod ? named(defaultMethod) : 'none yet'}`,
    },
    ...(methods ?? []).map((m) => ({
      value: m.id,
      label: m.unavailableReason ? `${named(m)}, ${m.unavailableReason}` : named(m),
    })),
  ];
  // A method a saved rule names stays a choice, in the rule's words, even when this user may not
  // list the methods or it was removed since: the form shows what is saved.
  for (const rule of settings.rules) {
    if (rule.paymentMethodId && !methodChoices.some((c) => c.value === rule.paymentMethodId)) {
      methodChoices.push({ value: rule.paymentMethodId, label: rule.paymentMethodLabel });
    }
  }
  const categoryChoices = settings.serviceCategories;
  const requiredForClient = !staff && settings.required;
  const lockedFor = (rule: RuleDraft) => !staff && rule.lockedBefore;
  const authorizationMissing = staff && !settings.authorization;

  /**
   * Moves a rule and keeps the focus on it: on its arrow of the same way, or, at the top or the
   * bottom where that one is off, on its other arrow (a keyboard user's place is not lost).
   */
  function moveRule(from: number, to: number) {
    form.reorderListItem('rules', { from, to });
    const ways = to < from ? ['up', 'down'] : ['down', 'up'];
    focusFirst(ways.map((way) => `Move rule ${to + 1} ${way}`));
  }

  /**
   * Removes a rule; the focus goes to the rule that takes its place, or the one before it, or
   * Add rule when none is left, instead of falling back to the top of the page.
   */
  function removeRule(index: number) {
    form.removeListItem('rules', index);
    focusFirst([`Remove rule ${index + 1}`, `Remove rule ${index}`, 'Add rule']);
  }

  /** After the form has drawn the change: focuses the first of these buttons that is on. */
  function focusFirst(labels: string[]) {
    requestAnimationFrame(() => {
      for (const label of labels) {
        const button = [
          ...(formElement.current?.querySelectorAll<HTMLButtonElement>('button') ?? []),
        ].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === label);
        if (button && !button.disabled) {
          button.focus();
          return;
        }
      }
    });
  }

  function submit(values: EditorValues) {
    const errors: Record<string, string> = {};
    const rules = values.rules.map((rule, index) => {
      if (needsDays(rule.timing)) {
        const problem = numberProblem(rule.days, 'days');
        if (problem) errors[`rules.${index}.days`] = problem;
      }
      if (rule.timing === 'day_of_month') {
        const problem = numberProblem(rule.dayOfMonth, 'dayOfMonth');
        if (problem) errors[`rules.${index}.dayOfMonth`] = problem;
      }
      let maxAmountCents: number | null = null;
      if (rule.maxAmountCents.trim() !== '') {
        const parsed = parseAmount(rule.maxAmountCents, settings.currency, {
          max: maxInvoiceTotalCents,
        });
        if (parsed.ok) maxAmountCents = parsed.value;
        else errors[`rules.${index}.maxAmountCents`] = capitalize(parsed.message);
      }
      const number = (value: number | string) => (value === '' ? null : Number(value));
      return {
        ...(rule.id ? { id: rule.id } : {}),
        enabled: rule.enabled,
        serviceCategoryIds: rule.serviceCategoryIds,
        paymentMethodId: rule.paymentMethodId || null,
        timing: rule.timing,
        days: needsDays(rule.timing) ? number(rule.days) : null,
        dayOfMonth: rule.timing === 'day_of_month' ? number(rule.dayOfMonth) : null,
        maxAmountCents,
        ...(staff ? { locked: rule.locked } : {}),
      };
    });
    if (Object.keys(errors).length > 0) {
      form.setErrors(errors);
      return;
    }
    const body: AutopayEditorBody = { enabled: values.enabled, rules };
    if (staff) {
      body.required = values.required;
      if (values.authorizationText.trim() || values.authorizedBy.trim()) {
        body.authorization = {
          text: values.authorizationText,
          authorizedBy: values.authorizedBy,
        };
      }
      if (values.note.trim()) body.note = values.note;
    }
    onSave(body).catch((error: unknown) =>
      showApiError(onFormFields(error), form, 'Could not save AutoPay'),
    );
  }

  return (
    <form ref={formElement} onSubmit={form.onSubmit(submit)} noValidate>
      <Stack gap="md">
        {requiredForClient && (
          <Alert color="gray" variant="light" icon={<IconLock size={18} />} py="xs">
            AutoPay is required by {mspName}: it cannot be turned off here.
          </Alert>
        )}
        <Checkbox
          label="AutoPay Enabled"
          description="Pay the invoices the rules below cover, automatically, on the day they say."
          disabled={!canChange || requiredForClient}
          {...form.getInputProps('enabled', { type: 'checkbox' })}
        />
        {staff && (
          <Checkbox
            label="AutoPay required"
            description="The client cannot turn AutoPay off, or change the rules you lock."
            disabled={!canChange}
            {...form.getInputProps('required', { type: 'checkbox' })}
          />
        )}

        {values.rules.length === 0 && (
          <Text c="dimmed" size="sm">
            No rules yet: add one to choose which invoices are paid automatically.
          </Text>
        )}
        {values.rules.map((rule, index) => {
          const locked = lockedFor(rule);
          const editable = canChange && !locked;
          const path = `rules.${index}`;
          const allServices = rule.serviceCategoryIds.length === 0;
          return (
            <Paper key={rule.key} withBorder p="md" radius="md">
              <Fieldset
                variant="unstyled"
                disabled={!editable}
                legend={
                  <Group gap="xs">
                    <Text fw={600}>Rule {index + 1}</Text>
                    {!rule.enabled && (
                      <Badge color="gray" variant="light">
                        Off
                      </Badge>
                    )}
                    {rule.lockedBefore && (
                      <Badge color="gray" variant="light" leftSection={<IconLock size={12} />}>
                        Locked
                      </Badge>
                    )}
                  </Group>
                }
                aria-label={`Rule ${index + 1}`}
                style={locked ? { opacity: 0.6 } : undefined}
              >
                <Stack gap="sm">
                  {locked && (
                    <Text size="sm" c="dimmed">
                      Locked by {mspName}: only they can change this rule.
                    </Text>
                  )}
                  <Group justify="space-between" align="flex-start">
                    <Switch
                      label="Rule on"
                      {...form.getInputProps(`${path}.enabled`, { type: 'checkbox' })}
                    />
                    <Group gap={4}>
                      <Tooltip label="Move up">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move rule ${index + 1} up`}
                          disabled={!editable || index === 0 || lockedFor(values.rules[index - 1]!)}
                          onClick={() => moveRule(index, index - 1)}
                        >
                          <IconArrowUp size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label="Move down">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move rule ${index + 1} down`}
                          disabled={
                            !editable ||
                            index === values.rules.length - 1 ||
                            lockedFor(values.rules[index + 1]!)
                          }
                          onClick={() => moveRule(index, index + 1)}
                        >
                          <IconArrowDown size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label="Remove rule">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove rule ${index + 1}`}
                          disabled={!editable}
                          onClick={() => removeRule(index)}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </Group>
                  </Group>
                  <Stack gap={4}>
                    <Text size="sm" fw={500} id={`${rule.key}-services`}>
                      Services to pay automatically
                    </Text>
                    <Group gap="md" role="group" aria-labelledby={`${rule.key}-services`}>
                      <Checkbox
                        label="All services"
                        checked={allServices}
                        onChange={(event) => {
                          if (event.currentTarget.checked) {
                            form.setFieldValue(`${path}.serviceCategoryIds`, []);
                          }
                        }}
                      />
                      {categoryChoices.map((category) => (
                        <Checkbox
                          key={category.id}
                          label={category.name}
                          checked={rule.serviceCategoryIds.includes(category.id)}
                          onChange={(event) => {
                            const checked = event.currentTarget.checked;
                            form.setFieldValue(
                              `${path}.serviceCategoryIds`,
                              checked
                                ? [...rule.serviceCategoryIds, category.id]
                                : rule.serviceCategoryIds.filter((id) => id !== category.id),
                            );
                          }}
                        />
                      ))}
                    </Group>
                    {form.errors[`${path}.serviceCategoryIds`] && (
                      <Text size="xs" c="red">
                        {form.errors[`${path}.serviceCategoryIds`]}
                      </Text>
                    )}
                  </Stack>
                  {/* Side by side on a wide screen; one under the other on a phone, where two
                      boxes in a row would cut their words off. */}
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
                    <Select
                      label="Payment method"
                      data={methodChoices}
                      allowDeselect={false}
                      {...form.getInputProps(`${path}.paymentMethodId`)}
                    />
                    <Select
                      label="When"
                      data={autopayTimings.map((t) => ({
                        value: t,
                        label: autopayTimingLabels[t],
                      }))}
                      allowDeselect={false}
                      {...form.getInputProps(`${path}.timing`)}
                    />
                  </SimpleGrid>
                  <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
                    {needsDays(rule.timing) && (
                      <NumberInput
                        label="Days"
                        min={0}
                        max={maxAutopayDays}
                        // What was typed stays (a minus sign and decimals too), and a number
                        // out of range is refused with the reason, instead of quietly becoming
                        // another number.
                        clampBehavior="none"
                        {...form.getInputProps(`${path}.days`)}
                      />
                    )}
                    {rule.timing === 'day_of_month' && (
                      <NumberInput
                        label="Day of the month"
                        description="1 to 31; 31 means the month's last day"
                        min={1}
                        max={31}
                        clampBehavior="none"
                        {...form.getInputProps(`${path}.dayOfMonth`)}
                      />
                    )}
                    <TextInput
                      label={`Only invoices up to (${settings.currency})`}
                      description={`Optional: a larger invoice is left for ${staff ? 'the client' : 'you'} to pay`}
                      placeholder="No limit"
                      {...form.getInputProps(`${path}.maxAmountCents`)}
                    />
                  </SimpleGrid>
                </Stack>
              </Fieldset>
              {staff && (
                <Checkbox
                  mt="sm"
                  label="Locked: the client cannot change this rule"
                  disabled={!canChange}
                  {...form.getInputProps(`${path}.locked`, { type: 'checkbox' })}
                />
              )}
            </Paper>
          );
        })}
        <Group>
          <Button
            variant="default"
            leftSection={<IconPlus size={16} />}
            disabled={!canChange || values.rules.length >= maxAutopayRules}
            onClick={() => form.insertListItem('rules', blankRule())}
          >
            Add rule
          </Button>
        </Group>

        {staff && (
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Text fw={600}>Client's authorization</Text>
              {settings.authorization ? (
                <Text size="sm">
                  Given by {settings.authorization.authorizedBy}
                  {settings.authorization.recordedBy
                    ? `, recorded by ${settings.authorization.recordedBy}`
                    : ''}
                  : “{settings.authorization.text}”
                </Text>
              ) : settings.enabled ? (
                // Staff cannot turn AutoPay on without recording one (the server refuses): on
                // and none recorded means a contact turned it on in the portal, agreeing there.
                <Text size="sm" c="dimmed">
                  None recorded by staff: a contact turned AutoPay on in the portal and agreed to it
                  there (see Who changed what).
                </Text>
              ) : (
                <Text size="sm" c="dimmed">
                  None recorded. Record the client's authorization to turn AutoPay on for them.
                </Text>
              )}
              <Textarea
                label={authorizationMissing ? 'Authorization' : 'New authorization'}
                description="The client's words agreeing to be charged automatically"
                autosize
                minRows={2}
                disabled={!canChange}
                {...form.getInputProps('authorizationText')}
                error={form.errors.authorizationText ?? form.errors['authorization.text']}
              />
              <TextInput
                label="Authorized by"
                description="Who at the client gave it, and how (“Dana Lee, by phone”)"
                disabled={!canChange}
                {...form.getInputProps('authorizedBy')}
                error={form.errors.authorizedBy ?? form.errors['authorization.authorizedBy']}
              />
              <TextInput
                label="Note"
                description="Optional: why you changed AutoPay (kept in the history)"
                disabled={!canChange}
                {...form.getInputProps('note')}
              />
            </Stack>
          </Paper>
        )}
        {form.errors.authorization && (
          <Text size="sm" c="red">
            {form.errors.authorization}
          </Text>
        )}
        {form.errors.rules && (
          <Text size="sm" c="red">
            {form.errors.rules}
          </Text>
        )}
        <Group>
          <UndoSaveButtons
            canEdit={canChange}
            dirty={form.isDirty()}
            saving={saving}
            onUndo={() => form.reset()}
            saveLabel={staff ? 'Save AutoPay' : 'Save'}
          />
        </Group>
      </Stack>
    </form>
  );
}
