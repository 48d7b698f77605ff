import { Grid, Group, Loader, NavLink, Paper, Stack, Text, Title } from '@mantine/core';
import { IconMail } from '@tabler/icons-react';
import { useSearchParams } from 'react-router';
import { PageError, PageLoader } from '../../components/page-state';
import { usePageTitle } from '../../lib/use-page-title';
import { useEmailTemplates, useTemplatePreview } from './email-api';
import { EmailPreviewFrame, PlainTextBody } from './email-parts';

/** Every email Portico sends, rendered with sample data and the current branding. */
export function EmailTemplatesPage() {
  usePageTitle('Email Templates');
  const templates = useEmailTemplates();
  const [searchParams, setSearchParams] = useSearchParams();
  const selected =
    templates.data?.find((t) => t.key === searchParams.get('template')) ?? templates.data?.[0];

  return (
    <Stack>
      <div>
        <Text size="sm" c="dimmed">
          Configuration
        </Text>
        <Title order={1}>Email Templates</Title>
      </div>
      <Text c="dimmed" maw={720}>
        The emails Portico sends, shown with sample data and your current Branding. Every email sent
        keeps its own copy, so changing the branding never alters the history.
      </Text>

      {templates.isPending ? (
        <PageLoader label="Loading email templates…" />
      ) : templates.isError ? (
        <PageError
          error={templates.error}
          title="Could not load the email templates"
          onRetry={() => void templates.refetch()}
        />
      ) : (
        <Grid gap="lg">
          <Grid.Col span={{ base: 12, md: 3 }}>
            <Paper withBorder p="xs" component="nav" aria-label="Templates">
              {templates.data.map((template) => (
                <NavLink
                  key={template.key}
                  component="button"
                  type="button"
                  label={template.name}
                  leftSection={<IconMail size={16} />}
                  active={template.key === selected?.key}
                  aria-current={template.key === selected?.key ? 'true' : undefined}
                  onClick={() => setSearchParams({ template: template.key }, { replace: true })}
                />
              ))}
            </Paper>
          </Grid.Col>
          <Grid.Col span={{ base: 12, md: 9 }}>
            {selected ? (
              <TemplatePreview templateKey={selected.key} />
            ) : (
              <Text c="dimmed">No templates.</Text>
            )}
          </Grid.Col>
        </Grid>
      )}
    </Stack>
  );
}

function TemplatePreview({ templateKey }: { templateKey: string }) {
  const preview = useTemplatePreview(templateKey);
  if (preview.isPending) {
    return (
      <Group gap="xs" role="status">
        <Loader size="sm" />
        <Text size="sm" c="dimmed">
          Rendering the preview…
        </Text>
      </Group>
    );
  }
  if (preview.isError) {
    return (
      <PageError
        error={preview.error}
        title="Could not render this template"
        onRetry={() => void preview.refetch()}
      />
    );
  }
  const { name, subject, html, text } = preview.data;
  return (
    <Stack component="section" aria-labelledby="template-preview-heading">
      <Title order={2} size="h3" id="template-preview-heading">
        {name}
      </Title>
      <div>
        <Text size="xs" fw={700} c="dimmed" tt="uppercase">
          Subject
        </Text>
        <Text fw={500}>{subject}</Text>
      </div>
      <EmailPreviewFrame html={html} height={640} />
      <Title order={3} size="h5">
        Text version
      </Title>
      <PlainTextBody text={text} />
    </Stack>
  );
}
