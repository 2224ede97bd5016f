import type { Minutes, MinutesRevisionSummary } from '@branchmeet/shared';
import { App } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../../api/errors';
import { useLoad, type Loaded } from '../../api/use-load';
import { minutesApi } from './minutes-api';
import { useMinutesSync } from './use-minutes-sync';

export interface MinutesPageData {
  minutes: Minutes;
  revisions: MinutesRevisionSummary[];
}

export interface MinutesPageModel {
  page: Loaded<MinutesPageData>;
  /** The live document (the content card and open votes). */
  live: ReturnType<typeof useMinutesSync>;
  /** The action running now (its button shows a spinner). */
  busy: string | null;
  /**
   * Runs an action of the page: the minutes it returns replace the shown ones, the revisions are read again,
   * `done` is shown on success and the server's message on failure.
   */
  act(name: string, fn: () => Promise<Minutes | void>, done?: string): Promise<void>;
}

/** The data of `/meetings/:meetingId/minutes`: the minutes and their revisions over REST, the text live. */
export function useMinutesPage(meetingId: string): MinutesPageModel {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const page = useLoad<MinutesPageData>(async () => {
    const [minutes, revisions] = await Promise.all([
      minutesApi.get(meetingId),
      minutesApi.revisions(meetingId),
    ]);
    return { minutes, revisions };
  }, [meetingId]);
  const live = useMinutesSync(meetingId);
  const [busy, setBusy] = useState<string | null>(null);

  // Someone else submitted, returned or approved it: show the new state.
  const lastStatus = useRef(live.state.status);
  const { reload } = page;
  useEffect(() => {
    const status = live.state.status;
    if (status && lastStatus.current && status !== lastStatus.current) void reload();
    lastStatus.current = status;
  }, [live.state.status, reload]);

  const act = async (name: string, fn: () => Promise<Minutes | void>, done?: string) => {
    setBusy(name);
    try {
      const next = await fn();
      const revisions = await minutesApi.revisions(meetingId);
      page.update((data) => ({ minutes: next ?? data.minutes, revisions }));
      if (done) void message.success(done);
    } catch (err) {
      void message.error(errorText(err, t));
    } finally {
      setBusy(null);
    }
  };

  return { page, live, busy, act };
}
