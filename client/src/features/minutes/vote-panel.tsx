import type { MinutesVote, VoteChoice } from '@branchmeet/shared';
import {
  App,
  Button,
  Card,
  Checkbox,
  Flex,
  Form,
  Input,
  Modal,
  Progress,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import type { MinutesSync, MinutesSyncState } from './minutes-sync';

const choices: VoteChoice[] = ['yes', 'no', 'abstain'];

export function VoteResult({ vote }: { vote: MinutesVote }) {
  const { t } = useTranslation();
  return (
    <Typography.Text data-testid="vote-result">
      {t('minutes.voteResult', {
        subject: vote.subject,
        expected: vote.expectedVoters,
        present: vote.presentVoters ?? 0,
        yes: vote.yes ?? 0,
        no: vote.no ?? 0,
        abstain: vote.abstain ?? 0,
      })}{' '}
      {vote.secret && <Tag data-testid="vote-secret-tag">{t('minutes.secretVote')}</Tag>}
      <Tag color={vote.passed ? 'success' : 'default'}>
        {vote.passed ? t('minutes.passed') : t('minutes.notPassed')}
      </Tag>
    </Typography.Text>
  );
}

/** Votes in the room: the host opens and closes one; members with voting rights vote once. */
export function VotePanel({
  sync,
  state,
  agenda,
}: {
  sync: MinutesSync;
  state: MinutesSyncState;
  agenda: string[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [opening, setOpening] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ agendaIndex: number | null; subject: string; secret: boolean }>();
  const open = state.votes.find((v) => v.status === 'open');
  const closed = state.votes.filter((v) => v.status === 'closed');

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap={8} data-testid="vote-panel">
      {open && (
        <Card size="small" title={t('minutes.voteOpen')} data-testid="vote-open">
          <Flex vertical gap={8}>
            <Typography.Text strong>
              {open.subject}
              {open.secret && (
                <Tag style={{ marginLeft: 8 }} data-testid="vote-secret-tag">
                  {t('minutes.secretVote')}
                </Tag>
              )}
            </Typography.Text>
            <Progress
              percent={open.expectedVoters ? Math.round((open.cast / open.expectedVoters) * 100) : 0}
              format={() => t('minutes.voteCast', { cast: open.cast, expected: open.expectedVoters })}
            />
            {state.voter && !state.myVotes[open.id] && (
              <Space wrap>
                {choices.map((c) => (
                  <Button
                    key={c}
                    type={c === 'yes' ? 'primary' : 'default'}
                    danger={c === 'no'}
                    disabled={busy}
                    onClick={() => void run(() => sync.vote('cast', open.id, c))}
                    data-testid={`vote-${c}`}
                  >
                    {t(`minutes.choice.${c}`)}
                  </Button>
                ))}
              </Space>
            )}
            {state.myVotes[open.id] && (
              <Typography.Text type="secondary" data-testid="vote-mine">
                {t('minutes.youVoted', { choice: t(`minutes.choice.${state.myVotes[open.id]}`) })}
              </Typography.Text>
            )}
            {!state.voter && <Typography.Text type="secondary">{t('minutes.noVoteRight')}</Typography.Text>}
            {state.host && (
              <Button
                disabled={busy}
                onClick={() => void run(() => sync.vote('close', open.id))}
                data-testid="vote-close"
              >
                {t('minutes.closeVote')}
              </Button>
            )}
          </Flex>
        </Card>
      )}
      {state.host && !open && (
        <Button onClick={() => setOpening(true)} data-testid="vote-start">
          {t('minutes.startVote')}
        </Button>
      )}
      {closed.map((v) => (
        <VoteResult key={v.id} vote={v} />
      ))}
      <Modal
        open={opening}
        title={t('minutes.startVote')}
        okText={t('minutes.startVote')}
        cancelText={t('common.cancel')}
        confirmLoading={busy}
        onCancel={() => setOpening(false)}
        onOk={() =>
          void form.validateFields().then((v) =>
            run(async () => {
              await sync.vote('open', v.agendaIndex ?? null, v.subject, v.secret === true);
              setOpening(false);
              form.resetFields();
            }),
          )
        }
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ agendaIndex: agenda.length ? 0 : null, secret: false }}
        >
          {agenda.length > 0 && (
            <Form.Item name="agendaIndex" label={t('minutes.voteItem')}>
              <Select
                options={agenda.map((a, i) => ({ value: i, label: `${i + 1}. ${a}` }))}
                data-testid="vote-item"
              />
            </Form.Item>
          )}
          <Form.Item
            name="subject"
            label={t('minutes.voteSubject')}
            rules={[
              { required: true, whitespace: true, message: t('minutes.voteSubjectRequired') },
              { max: 200 },
            ]}
          >
            <Input placeholder={t('minutes.voteSubjectHint')} data-testid="vote-subject" />
          </Form.Item>
          <Form.Item name="secret" valuePropName="checked" extra={t('minutes.secretVoteHint')}>
            <Checkbox data-testid="vote-secret">{t('minutes.secretVote')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
    </Flex>
  );
}
