import {
  formatMessage,
  type MessageKey,
  type NotificationKind,
  type NotificationParams,
} from '@branchmeet/shared';

/** What an e-mail or a robot says about one notification: one line, and the link that opens it. */
export interface ChannelMessage {
  subject: string;
  link: string;
}

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** `2027-02-01 14:00`, China time (the branches' time). */
export function formatChinaTime(iso: string): string {
  const parts = Object.fromEntries(chinaTime.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export function channelMessage(
  kind: NotificationKind,
  meetingId: string | null,
  params: NotificationParams,
  publicUrl: string,
): ChannelMessage {
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const subject = formatMessage(`notify.${kind}` as MessageKey, {
    title: text(params.title),
    unitName: text(params.unitName),
    name: text(params.name),
    time: params.start ? formatChinaTime(String(params.start)) : '',
  });
  const base = publicUrl.replace(/\/+$/, '');
  const link = meetingId
    ? `${base}/meetings/${meetingId}/${kind.startsWith('minutes.') ? 'minutes' : 'info'}`
    : base;
  return { subject, link };
}

/** The body of a WeCom group robot's markdown message (its documented `msgtype: markdown`). */
export function wecomBody(m: ChannelMessage) {
  const open = formatMessage('notify.open');
  return { msgtype: 'markdown', markdown: { content: `**${m.subject}**\n[${open}](${m.link})` } };
}

/** The body of a DingTalk group robot's markdown message (its documented `msgtype: markdown`). */
export function dingtalkBody(m: ChannelMessage) {
  const open = formatMessage('notify.open');
  return {
    msgtype: 'markdown',
    markdown: { title: m.subject, text: `#### ${m.subject}\n\n[${open}](${m.link})` },
  };
}

/** A plain-text e-mail: the line, the link, the signature. */
export function emailText(m: ChannelMessage): string {
  return `${m.subject}\n\n${formatMessage('notify.open')}: ${m.link}\n\n— ${formatMessage('notify.signature')}\n`;
}
