import type { Notification } from '@branchmeet/shared';
import { App } from 'antd';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { http } from '../../api/endpoints';
import { useAuth } from '../auth/auth-context';
import type { NotificationSocketOptions } from './notification-socket';
import { notificationText } from './notification-text';

const PAGE = 20;

export interface NotificationsValue {
  items: Notification[];
  unread: number;
  loading: boolean;
  reload(): Promise<void>;
  markRead(ids: string[]): Promise<void>;
  markAllRead(): Promise<void>;
}

const empty: NotificationsValue = {
  items: [],
  unread: 0,
  loading: false,
  reload: async () => undefined,
  markRead: async () => undefined,
  markAllRead: async () => undefined,
};
const NotificationsContext = createContext<NotificationsValue>(empty);

/** Opens the notification socket (tests pass their own). */
export type NotificationConnector = (opts: NotificationSocketOptions) => Promise<() => void>;
const connectLazily: NotificationConnector = async (opts) =>
  (await import('./notification-socket')).connectNotifications(opts);

/**
 * The signed-in person's notifications, for the whole app: the newest page and the unread count from REST,
 * then new ones pushed over their `/rtc` socket (wherever they are in the app, also in a meeting), each shown
 * as a toast that opens its meeting.
 */
export function NotificationsProvider({
  children,
  connect = connectLazily,
}: {
  children: ReactNode;
  connect?: NotificationConnector;
}) {
  const { me } = useAuth();
  const { t } = useTranslation();
  const { notification } = App.useApp();
  const navigate = useNavigate();
  const [items, setItems] = useState<Notification[]>([]);
  const [unread, setUnread] = useState(0);
  const [loading, setLoading] = useState(false);
  const userId = me?.user.id ?? null;
  // The newest callbacks for the socket's listeners, which live as long as the connection.
  const live = useRef({ t, navigate, notification });
  live.current = { t, navigate, notification };

  const reload = useCallback(async () => {
    if (!userId) return;
    setLoading(true);
    try {
      const list = await http.notifications({ limit: PAGE });
      setItems(list.items);
      setUnread(list.unread);
    } catch {
      // The bell shows what it had; the next push or reload tries again.
    } finally {
      setLoading(false);
    }
  }, [userId]);

  useEffect(() => {
    if (!userId) {
      setItems([]);
      setUnread(0);
      return;
    }
    let close: (() => void) | null = null;
    let gone = false;
    void connect({
      onConnected: () => void reload(),
      onNotification: (n) => {
        setItems((list) => [n, ...list.filter((x) => x.id !== n.id)].slice(0, PAGE));
        setUnread((c) => c + (n.read ? 0 : 1));
        const { t: tr, navigate: go, notification: toast } = live.current;
        toast.info({
          key: n.id,
          title: tr('notifications.title'),
          description: notificationText(n, tr),
          placement: 'topRight',
          onClick: () => {
            if (n.meetingId) void go(`/meetings/${n.meetingId}/info`);
            toast.destroy(n.id);
          },
        });
      },
    }).then(
      (fn) => {
        if (gone) fn();
        else close = fn;
      },
      () => undefined,
    );
    return () => {
      gone = true;
      close?.();
    };
  }, [userId, connect, reload]);

  const markRead = useCallback(async (ids: string[]) => {
    if (ids.length === 0) return;
    const res = await http.markNotificationsRead({ ids });
    setItems((list) => list.map((n) => (ids.includes(n.id) ? { ...n, read: true } : n)));
    setUnread(res.unread);
  }, []);

  const markAllRead = useCallback(async () => {
    const res = await http.markNotificationsRead({ all: true });
    setItems((list) => list.map((n) => ({ ...n, read: true })));
    setUnread(res.unread);
  }, []);

  const value = useMemo(
    () => ({ items, unread, loading, reload, markRead, markAllRead }),
    [items, unread, loading, reload, markRead, markAllRead],
  );
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

/** The notifications (nothing outside a NotificationsProvider). */
export function useNotifications(): NotificationsValue {
  return useContext(NotificationsContext);
}
