import {
  apiRoutes,
  type CorrectMinutesRequest,
  type Minutes,
  type MinutesAttachment,
  type MinutesListItem,
  type MinutesRevisionDetail,
  type MinutesRevisionSummary,
  type MinutesSearchResult,
  type MinutesStatus,
  type UpdateMinutesRequest,
} from '@branchmeet/shared';
import { api, type DownloadedFile } from '../../api/client';

/** The minutes' REST calls (apiRoutes.minutes). */
export const minutesApi = {
  get: (meetingId: string) => api.get<Minutes>(apiRoutes.minutes.one(meetingId)),
  update: (meetingId: string, body: UpdateMinutesRequest) =>
    api.patch<Minutes>(apiRoutes.minutes.one(meetingId), body),
  sign: (meetingId: string) => api.post<Minutes>(apiRoutes.minutes.sign(meetingId), {}),
  submit: (meetingId: string) => api.post<Minutes>(apiRoutes.minutes.submit(meetingId), {}),
  approve: (meetingId: string, comment?: string) =>
    api.post<Minutes>(apiRoutes.minutes.approve(meetingId), comment ? { comment } : {}),
  returnMinutes: (meetingId: string, reason: string) =>
    api.post<Minutes>(apiRoutes.minutes.return(meetingId), { reason }),
  correct: (meetingId: string, body: CorrectMinutesRequest) =>
    api.post<Minutes>(apiRoutes.minutes.corrections(meetingId), body),
  revisions: (meetingId: string) => api.get<MinutesRevisionSummary[]>(apiRoutes.minutes.revisions(meetingId)),
  revision: (meetingId: string, n: number) =>
    api.get<MinutesRevisionDetail>(apiRoutes.minutes.revision(meetingId, n)),
  exportFile: (meetingId: string, format: 'docx' | 'pdf'): Promise<DownloadedFile> =>
    api.download(format === 'docx' ? apiRoutes.minutes.docx(meetingId) : apiRoutes.minutes.pdf(meetingId)),
  exportPeriod: (unitId: string, format: 'docx' | 'pdf', from: string, to: string): Promise<DownloadedFile> =>
    api.download(
      format === 'docx' ? apiRoutes.minutes.periodDocx(unitId) : apiRoutes.minutes.periodPdf(unitId),
      { from, to },
    ),
  attach: (meetingId: string, file: File) => {
    const formData = new FormData();
    formData.append('file', file);
    return api.request<MinutesAttachment>(apiRoutes.minutes.attachments(meetingId), {
      method: 'POST',
      formData,
    });
  },
  attachment: (meetingId: string, attachmentId: string) =>
    api.download(apiRoutes.minutes.attachment(meetingId, attachmentId)),
  removeAttachment: (meetingId: string, attachmentId: string) =>
    api.delete(apiRoutes.minutes.attachment(meetingId, attachmentId)),
  search: (unitId: string, q: { q?: string; status?: MinutesStatus; limit?: number; offset?: number }) =>
    api.get<MinutesSearchResult>(apiRoutes.minutes.ofUnit(unitId), q),
  inbox: () => api.get<MinutesListItem[]>(apiRoutes.minutes.inbox),
};
