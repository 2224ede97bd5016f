import { Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { AuthProvider } from './features/auth/auth-context';
import { LoginPage } from './features/auth/login-page';
import { RequireAuth } from './features/auth/require-auth';
import { HomeRedirect } from './features/shell/home-redirect';
import { NotificationsProvider } from './features/notifications/notifications-context';
import { AppProviders } from './providers';

// The meeting room (mediasoup-client, socket.io) loads only when someone opens a meeting (or a guest link).
// The statistics dashboard (and its charts) load when it is opened.
const StatisticsPage = lazy(() =>
  import('./features/statistics/statistics-page').then((m) => ({ default: m.StatisticsPage })),
);
const GuestPage = lazy(() => import('./features/guest/guest-page').then((m) => ({ default: m.GuestPage })));
const MeetingPage = lazy(() =>
  import('./features/meeting/meeting-page').then((m) => ({ default: m.MeetingPage })),
);

// The minutes pages (Yjs, socket.io) load on demand too.
const MinutesPage = lazy(() =>
  import('./features/minutes/minutes-page').then((m) => ({ default: m.MinutesPage })),
);
const MinutesArchivePage = lazy(() =>
  import('./features/minutes/minutes-archive-page').then((m) => ({ default: m.MinutesArchivePage })),
);
const MinutesInboxPage = lazy(() =>
  import('./features/minutes/minutes-inbox-page').then((m) => ({ default: m.MinutesInboxPage })),
);
// A light first load (weak networks): the login page loads only itself; the signed-in shell and each of its
// pages come when first opened (and the service worker keeps them for the next visit).
const AppShell = lazy(() => import('./features/shell/app-shell').then((m) => ({ default: m.AppShell })));
const OrgTreePage = lazy(() =>
  import('./features/orgs/org-tree-page').then((m) => ({ default: m.OrgTreePage })),
);
const UnitPage = lazy(() => import('./features/orgs/unit-page').then((m) => ({ default: m.UnitPage })));
const MeetingInfoPage = lazy(() =>
  import('./features/schedule/meeting-info-page').then((m) => ({ default: m.MeetingInfoPage })),
);
const AuditPage = lazy(() => import('./features/admin/audit-page').then((m) => ({ default: m.AuditPage })));
const NotFoundPage = lazy(() =>
  import('./features/shell/not-found').then((m) => ({ default: m.NotFoundPage })),
);
const TodoPage = lazy(() => import('./features/todos/todo-page').then((m) => ({ default: m.TodoPage })));
const page = (element: ReactNode) => <Suspense fallback={<Spin />}>{element}</Suspense>;

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="/guest/:token"
        element={
          <Suspense fallback={<Spin size="large" fullscreen />}>
            <GuestPage />
          </Suspense>
        }
      />
      <Route
        path="/meetings/:meetingId"
        element={
          <RequireAuth>
            <Suspense fallback={<Spin size="large" fullscreen />}>
              <MeetingPage />
            </Suspense>
          </RequireAuth>
        }
      />
      <Route
        element={
          <RequireAuth>
            <Suspense fallback={<Spin size="large" fullscreen />}>
              <AppShell />
            </Suspense>
          </RequireAuth>
        }
      >
        <Route index element={<HomeRedirect />} />
        <Route path="org" element={page(<OrgTreePage />)} />
        <Route path="units/:unitId" element={page(<UnitPage />)} />
        <Route
          path="units/:unitId/statistics"
          element={
            <Suspense fallback={<Spin size="large" />}>
              <StatisticsPage />
            </Suspense>
          }
        />
        <Route path="meetings/:meetingId/info" element={page(<MeetingInfoPage />)} />
        <Route path="meetings/:meetingId/minutes" element={page(<MinutesPage />)} />
        <Route path="units/:unitId/minutes" element={page(<MinutesArchivePage />)} />
        <Route path="minutes/inbox" element={page(<MinutesInboxPage />)} />
        <Route path="todos" element={page(<TodoPage />)} />
        <Route path="admin/audit" element={page(<AuditPage />)} />
        <Route path="admin" element={<Navigate to="/admin/audit" replace />} />
        <Route path="*" element={page(<NotFoundPage />)} />
      </Route>
    </Routes>
  );
}

export default function App() {
  return (
    <AppProviders>
      <AuthProvider>
        <BrowserRouter>
          <NotificationsProvider>
            <AppRoutes />
          </NotificationsProvider>
        </BrowserRouter>
      </AuthProvider>
    </AppProviders>
  );
}
