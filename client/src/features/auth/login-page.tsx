import { LockOutlined, UserOutlined } from '@ant-design/icons';
import type { LoginRequest } from '@branchmeet/shared';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { errorText } from '../../api/errors';
import { LanguageSwitch } from '../shell/language-switch';
import { useAuth } from './auth-context';

function redirectTarget(state: unknown): string {
  if (typeof state === 'object' && state !== null && 'from' in state) {
    const from = (state as { from: unknown }).from;
    if (typeof from === 'string' && from.startsWith('/') && !from.startsWith('/login')) return from;
  }
  return '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const { state, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  if (state.status === 'signed-in') return <Navigate to={redirectTarget(location.state)} replace />;

  const onFinish = async (values: LoginRequest) => {
    setError(null);
    setSubmitting(true);
    try {
      await login({ login: values.login.trim(), password: values.password });
      navigate(redirectTarget(location.state), { replace: true });
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5' }}>
      <div
        style={{
          background: '#c8161d',
          padding: '56px 16px 96px',
          textAlign: 'center',
          position: 'relative',
        }}
      >
        <div style={{ position: 'absolute', top: 12, right: 16 }}>
          <LanguageSwitch dark />
        </div>
        <Typography.Title level={2} style={{ color: '#fff', margin: 0 }}>
          {t('app.name')}
        </Typography.Title>
        <Typography.Text style={{ color: 'rgba(255,255,255,0.85)' }}>{t('app.tagline')}</Typography.Text>
      </div>
      <Flex justify="center" style={{ marginTop: -64, padding: '0 16px 32px' }}>
        <Card style={{ width: '100%', maxWidth: 380 }} title={t('auth.title')}>
          {error && (
            <Alert
              type="error"
              showIcon
              title={error}
              style={{ marginBottom: 16 }}
              data-testid="login-error"
            />
          )}
          <Form<LoginRequest> layout="vertical" onFinish={onFinish} requiredMark={false} autoComplete="on">
            <Form.Item
              name="login"
              label={t('auth.loginLabel')}
              rules={[{ required: true, whitespace: true, message: t('auth.loginRequired') }]}
            >
              <Input
                prefix={<UserOutlined />}
                placeholder={t('auth.loginPlaceholder')}
                autoComplete="username"
                data-testid="login-input"
                size="large"
              />
            </Form.Item>
            <Form.Item
              name="password"
              label={t('auth.passwordLabel')}
              rules={[{ required: true, message: t('auth.passwordRequired') }]}
            >
              <Input.Password
                prefix={<LockOutlined />}
                placeholder={t('auth.passwordPlaceholder')}
                autoComplete="current-password"
                data-testid="password-input"
                size="large"
              />
            </Form.Item>
            <Button
              type="primary"
              htmlType="submit"
              block
              size="large"
              loading={submitting}
              data-testid="login-submit"
            >
              {t('auth.submit')}
            </Button>
          </Form>
        </Card>
      </Flex>
    </div>
  );
}
