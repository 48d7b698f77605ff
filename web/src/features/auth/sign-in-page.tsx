import {
  Alert,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  TextInput,
  Title,
} from '@mantine/core';
import { isEmail, isNotEmpty, useForm } from '@mantine/form';
import { IconAlertCircle } from '@tabler/icons-react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { usePageTitle } from '../../lib/use-page-title';
import { safeNextPath, useSession } from './session';
import { useSignIn, type SignInInput } from './use-sign-in';

export function SignInPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = useSession();
  const signIn = useSignIn();
  const next = safeNextPath(params.get('next'));

  const form = useForm<SignInInput>({
    mode: 'controlled',
    initialValues: { email: '', password: '' },
    validate: {
      email: isEmail('Enter your email address'),
      password: isNotEmpty('Enter your password'),
    },
  });

  if (session.data?.user) return <Navigate to={next} replace />;

  const submit = form.onSubmit((values) =>
    signIn.mutate(values, {
      onSuccess: () => navigate(next, { replace: true }),
      onError: (error) => {
        if (error instanceof ApiError && error.fields.length > 0) {
          form.setErrors(Object.fromEntries(error.fields.map((f) => [f.field, f.message])));
        }
      },
    }),
  );

  // Wrong password and rate limits are not about one field: say them above the form.
  const formError =
    signIn.error && !(signIn.error instanceof ApiError && signIn.error.fields.length > 0)
      ? errorMessage(signIn.error)
      : null;

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w="100%" maw={400}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={2} size="h4" c="dimmed" fw={600}>
                Portico
              </Title>
              <Title order={1} size="h2">
                Sign in
              </Title>
            </div>
            {formError && (
              <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
                {formError}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              data-autofocus
              {...form.getInputProps('email')}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              {...form.getInputProps('password')}
            />
            <Button type="submit" loading={signIn.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
