import type { GuestMeetingInfo, GuestSession } from '@branchmeet/shared';
import { Button, Card, Descriptions, Flex, Form, Input, Result, Spin, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { http } from '../../api/endpoints';
import { errorText } from '../../api/errors';
import { meetingTitleText } from '../../i18n/generated-text';
import { LocalMedia, MediaSessionProvider } from '../../media';
import { LiveRoom } from '../meeting/meeting-page';
import { PrejoinPage, type PrejoinChoice } from '../meeting/prejoin-page';
import { formatTime, MeetingStatusTag } from '../schedule/meeting-tags';
import { LanguageSwitch } from '../shell/language-switch';
import '../meeting/meeting.css';

/**
 * `/guest/:token`: an outside guest opens an invite link — what meeting it is, their name, the pre-join check,
 * then the live room with a guest token for that one meeting (the host lets them in from the waiting room).
 */
export function GuestPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const [info, setInfo] = useState<GuestMeetingInfo | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  const [session, setSession] = useState<GuestSession | null>(null);
  const [joining, setJoining] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [choice, setChoice] = useState<PrejoinChoice | null>(null);
  const [local] = useState(() => new LocalMedia());

  useEffect(() => () => local.dispose(), [local]);
  useEffect(() => {
    http.guestPreview(token).then(setInfo, setFailed);
  }, [token]);

  const auth = useMemo(
    () => ({ token: () => session?.accessToken ?? null, refreshAuth: async () => false }),
    [session],
  );

  if (failed) {
    return (
      <div className="bm-room-final" data-testid="guest-invalid">
        <Result status="404" title={t('guest.invalid')} subTitle={errorText(failed, t)} />
      </div>
    );
  }
  if (!info) {
    return (
      <div className="bm-room-final">
        <Spin size="large" />
      </div>
    );
  }
  if (session && !choice) {
    return (
      <MediaSessionProvider value={{ local, room: null }}>
        <PrejoinPage
          title={meetingTitleText(t, info.title)}
          userName={session.name}
          local={local}
          onJoin={setChoice}
        />
      </MediaSessionProvider>
    );
  }
  if (session && choice) {
    return (
      <LiveRoom
        meeting={{ id: info.meetingId, title: info.title }}
        local={local}
        choice={choice}
        auth={auth}
        onBack={() => setChoice(null)}
      />
    );
  }

  const enter = async ({ name }: { name: string }) => {
    setJoining(true);
    setJoinError(null);
    try {
      setSession(await http.guestJoin({ token, name }));
    } catch (err) {
      setJoinError(errorText(err, t));
    } finally {
      setJoining(false);
    }
  };

  return (
    <Flex
      vertical
      align="center"
      justify="center"
      style={{ minHeight: '100vh', padding: 16, background: '#f5f5f5' }}
      data-testid="guest-page"
    >
      <Card style={{ width: 'min(440px, 100%)' }}>
        <Flex justify="space-between" align="center" style={{ marginBottom: 12 }}>
          <Typography.Text strong style={{ color: '#c8161d', fontSize: 18 }}>
            {t('app.name')}
          </Typography.Text>
          <LanguageSwitch />
        </Flex>
        <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="guest-meeting-title">
          {meetingTitleText(t, info.title)}
        </Typography.Title>
        <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t('guest.unit')}>{info.unitName}</Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.time')}>{formatTime(info.start)}</Descriptions.Item>
          <Descriptions.Item label={t('meetingInfo.status')}>
            <MeetingStatusTag status={info.status} />
          </Descriptions.Item>
          <Descriptions.Item label={t('guest.role')}>
            <Tag color="purple">{t('attendanceExtra.guest')}</Tag>
          </Descriptions.Item>
        </Descriptions>
        <Form layout="vertical" onFinish={(v: { name: string }) => void enter(v)} requiredMark={false}>
          <Form.Item
            name="name"
            label={t('guest.name')}
            rules={[{ required: true, whitespace: true, message: t('guest.nameRequired') }]}
          >
            <Input maxLength={50} autoFocus data-testid="guest-name" />
          </Form.Item>
          {joinError && (
            <Typography.Paragraph type="danger" data-testid="guest-error">
              {joinError}
            </Typography.Paragraph>
          )}
          <Button type="primary" htmlType="submit" block loading={joining} data-testid="guest-enter">
            {t('guest.enter')}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
          {t('guest.hint', { time: formatTime(info.inviteExpiresAt) })}
        </Typography.Paragraph>
      </Card>
    </Flex>
  );
}
