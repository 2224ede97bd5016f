import {
  ApartmentOutlined,
  AuditOutlined,
  BellOutlined,
  CheckSquareOutlined,
  DownOutlined,
  FileDoneOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuOutlined,
  TeamOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Avatar, Button, Dropdown, Grid, Layout, Menu, Space, Typography, theme, type MenuProps } from 'antd';
import { managerRoles } from '@branchmeet/shared';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Outlet, useLocation, useNavigate } from 'react-router-dom';
import { isLanguage, languages, setLanguage } from '../../i18n';
import { useAuth, useMe } from '../auth/auth-context';
import { ChangePasswordModal } from '../auth/change-password-modal';
import { ChannelPrefsModal } from '../notifications/channel-settings';
import { UnitsProvider } from '../orgs/units-context';
import { NotificationBell } from '../notifications/notification-bell';
import { LanguageSwitch } from './language-switch';

const { Header, Sider, Content } = Layout;

/** Header (product, language, user menu), side navigation, and the page. */
export function AppShell() {
  const { t } = useTranslation();
  const me = useMe();
  const { logout, reloadMe } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const isMobile = !screens.lg;
  const [collapsed, setCollapsed] = useState<boolean | null>(null);
  const siderCollapsed = collapsed ?? isMobile;
  const [changingPassword, setChangingPassword] = useState(false);
  const [channels, setChannels] = useState(false);
  const { token } = theme.useToken();

  const navItems = useMemo<MenuProps['items']>(() => {
    const items: NonNullable<MenuProps['items']> = [
      { key: '/org', icon: <ApartmentOutlined />, label: t('nav.org') },
      { key: '/todos', icon: <CheckSquareOutlined />, label: t('todos.title') },
    ];
    if (me.memberships.length > 0) {
      items.push({
        key: 'my-units',
        type: 'group',
        label: t('nav.myUnits'),
        children: me.memberships.map((m) => ({
          key: `/units/${m.unitId}`,
          icon: <TeamOutlined />,
          label: m.unitName,
          title: `${m.unitName} · ${t(`role.${m.role}`)}`,
        })),
      });
    }
    // Secretaries of a unit above branches review their minutes.
    if (
      me.memberships.some(
        (m) => m.unitType !== 'branch' && m.unitType !== 'group' && managerRoles.includes(m.role),
      )
    ) {
      items.push({ key: '/minutes/inbox', icon: <FileDoneOutlined />, label: t('minutes.inbox') });
    }
    if (me.user.isAdmin) {
      items.push({ key: '/admin/audit', icon: <AuditOutlined />, label: t('nav.audit') });
    }
    return items;
  }, [me, t]);

  const selectedKey = location.pathname.startsWith('/units/')
    ? `/units/${location.pathname.split('/')[2]}`
    : location.pathname;

  const userMenu: MenuProps = {
    items: [
      { key: 'change-password', icon: <KeyOutlined />, label: t('auth.changePassword') },
      { key: 'channels', icon: <BellOutlined />, label: t('channels.menu') },
      {
        key: 'language',
        label: t('lang.label'),
        children: languages.map((lang) => ({ key: `lang:${lang}`, label: t(`lang.${lang}`) })),
      },
      { type: 'divider' },
      { key: 'logout', icon: <LogoutOutlined />, label: t('auth.logout'), danger: true },
    ],
    onClick: ({ key }) => {
      if (key === 'change-password') setChangingPassword(true);
      else if (key === 'channels') setChannels(true);
      else if (key === 'logout') void logout().then(() => navigate('/login', { replace: true }));
      else if (key.startsWith('lang:')) {
        const lang = key.slice(5);
        if (isLanguage(lang)) void setLanguage(lang);
      }
    },
  };

  return (
    <UnitsProvider>
      <Layout style={{ minHeight: '100vh' }}>
        <Header
          style={{
            display: 'flex',
            alignItems: 'center',
            gap: 8,
            padding: isMobile ? '0 8px' : '0 24px',
            background: '#c8161d',
            position: 'sticky',
            top: 0,
            zIndex: 20,
          }}
        >
          {isMobile && (
            <Button
              type="text"
              icon={<MenuOutlined />}
              aria-label={t('nav.menu')}
              onClick={() => setCollapsed(!siderCollapsed)}
              style={{ color: '#fff' }}
              data-testid="nav-toggle"
            />
          )}
          <Typography.Text
            strong
            style={{ color: '#fff', fontSize: 18, whiteSpace: 'nowrap', cursor: 'pointer' }}
            onClick={() => navigate('/')}
          >
            {t('app.name')}
          </Typography.Text>
          <div style={{ flex: 1 }} />
          <NotificationBell />
          <LanguageSwitch dark />
          <Dropdown menu={userMenu} trigger={['click']}>
            <Button type="text" style={{ color: '#fff', paddingInline: 4 }} data-testid="user-menu">
              <Space size={6}>
                <Avatar
                  size="small"
                  icon={<UserOutlined />}
                  style={{ background: 'rgba(255,255,255,0.25)' }}
                />
                {!isMobile && <span>{me.user.name}</span>}
                <DownOutlined style={{ fontSize: 10 }} />
              </Space>
            </Button>
          </Dropdown>
        </Header>
        <Layout style={{ position: 'relative' }}>
          <Sider
            breakpoint="lg"
            collapsedWidth={0}
            collapsible
            trigger={null}
            collapsed={siderCollapsed}
            onBreakpoint={() => setCollapsed(null)}
            width={220}
            theme="light"
            style={{
              borderRight: `1px solid ${token.colorBorderSecondary}`,
              ...(isMobile ? { position: 'absolute', height: '100%', zIndex: 15 } : {}),
            }}
            data-testid="side-nav"
          >
            <Menu
              mode="inline"
              selectedKeys={[selectedKey]}
              items={navItems}
              style={{ borderRight: 0, paddingTop: 8 }}
              onClick={({ key }) => {
                navigate(key);
                if (isMobile) setCollapsed(true);
              }}
            />
          </Sider>
          {isMobile && !siderCollapsed && (
            <div
              aria-hidden
              onClick={() => setCollapsed(true)}
              style={{ position: 'absolute', inset: 0, zIndex: 14, background: 'rgba(0,0,0,0.25)' }}
            />
          )}
          <Content style={{ padding: isMobile ? 12 : 24, minWidth: 0 }}>
            <Outlet />
          </Content>
        </Layout>
      </Layout>
      <ChangePasswordModal
        open={changingPassword || me.user.mustChangePassword}
        forced={me.user.mustChangePassword}
        onClose={() => setChangingPassword(false)}
        onChanged={() => {
          setChangingPassword(false);
          void reloadMe();
        }}
      />
      {channels && <ChannelPrefsModal onClose={() => setChannels(false)} />}
    </UnitsProvider>
  );
}
