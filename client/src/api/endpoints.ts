import {
  apiRoutes,
  type AddMemberRequest,
  type AuditEvent,
  type AuditVerifyResult,
  type BranchAttendanceRules,
  type UnitStatistics,
  type CorrectAttendanceRequest,
  type CorrectionListItem,
  type UpdateAttendanceRulesRequest,
  type UpdateAttendanceRulesResult,
  type CancelMeetingRequest,
  type CreatedInvite,
  type CreateInviteRequest,
  type GuestJoinRequest,
  type GuestMeetingInfo,
  type GuestSession,
  type MeetingInvite,
  type ChangePasswordRequest,
  type CreateOrgUnitRequest,
  type Health,
  type LeaveDecisionRequest,
  type LeaveRequest,
  type LeaveType,
  type TodoList,
  type NotificationPrefs,
  type BranchChannels,
  type LiveMeeting,
  type MakeUpProgress,
  type ProgressReport,
  type RecordingControl,
  type RecordingList,
  type RecordingState,
  type LoginRequest,
  type LoginResponse,
  type MarkNotificationsReadRequest,
  type MarkNotificationsReadResult,
  type NotificationList,
  type Me,
  type Meeting,
  type MeetingAttendance,
  type OpenRoomRequest,
  type OrgUnit,
  type ResetPasswordRequest,
  type ResetPasswordResponse,
  type RosterImportReport,
  type RosterMember,
  type ScheduleMeetingRequest,
  type ScheduleSeriesRequest,
  type UpdateMeetingRequest,
  type UpdateMemberRequest,
  type UpdateOrgUnitRequest,
} from '@branchmeet/shared';
import { api, ApiRequestError, type ApiClient, type DownloadedFile } from './client';

/** Typed calls, one per REST route of the contract. */
export function endpoints(client: ApiClient = api) {
  return {
    health: () => client.request<Health>(apiRoutes.health, { auth: false }),

    login: (body: LoginRequest) =>
      client.request<LoginResponse>(apiRoutes.auth.login, { method: 'POST', body, auth: false }),
    logout: (refreshToken: string) =>
      client.request<void>(apiRoutes.auth.logout, { method: 'POST', body: { refreshToken }, auth: false }),
    me: () => client.get<Me>(apiRoutes.auth.me),
    changePassword: (body: ChangePasswordRequest) => client.post<void>(apiRoutes.auth.changePassword, body),
    resetPassword: (userId: string, body: ResetPasswordRequest) =>
      client.post<ResetPasswordResponse | undefined>(apiRoutes.users.resetPassword(userId), body),

    recordings: (meetingId: string) => client.get<RecordingList>(apiRoutes.meetings.recordings(meetingId)),
    controlRecording: (meetingId: string, body: RecordingControl) =>
      client.post<RecordingState>(apiRoutes.meetings.recording(meetingId), body),
    deleteRecording: (recordingId: string) => client.delete(apiRoutes.recordings.one(recordingId)),
    reportProgress: (recordingId: string, body: ProgressReport, opts: { keepalive?: boolean } = {}) =>
      client.request<MakeUpProgress>(apiRoutes.recordings.progress(recordingId), {
        method: 'POST',
        body,
        keepalive: opts.keepalive,
      }),

    listUnits: () => client.get<OrgUnit[]>(apiRoutes.orgUnits.list),
    getUnit: (unitId: string) => client.get<OrgUnit>(apiRoutes.orgUnits.one(unitId)),
    createUnit: (body: CreateOrgUnitRequest) => client.post<OrgUnit>(apiRoutes.orgUnits.list, body),
    updateUnit: (unitId: string, body: UpdateOrgUnitRequest) =>
      client.patch<OrgUnit>(apiRoutes.orgUnits.one(unitId), body),
    deleteUnit: (unitId: string) => client.delete(apiRoutes.orgUnits.one(unitId)),

    listMembers: (unitId: string, q?: string) =>
      client.get<RosterMember[]>(apiRoutes.orgUnits.members(unitId), { q: q?.trim() || undefined }),
    addMember: (unitId: string, body: AddMemberRequest) =>
      client.post<RosterMember>(apiRoutes.orgUnits.members(unitId), body),
    updateMember: (unitId: string, membershipId: string, body: UpdateMemberRequest) =>
      client.patch<RosterMember>(apiRoutes.orgUnits.member(unitId, membershipId), body),
    removeMember: (unitId: string, membershipId: string) =>
      client.delete(apiRoutes.orgUnits.member(unitId, membershipId)),

    /**
     * Uploads a roster file. A file with bad rows is answered with a report (applied=false) — whether the server
     * sends it with 200 or with an error status such as 422 — so both come back as a report here.
     */
    importRoster: async (unitId: string, file: File, dryRun: boolean): Promise<RosterImportReport> => {
      const formData = new FormData();
      formData.append('file', file);
      try {
        return await client.request<RosterImportReport>(apiRoutes.orgUnits.rosterImport(unitId), {
          method: 'POST',
          formData,
          query: { dryRun: dryRun ? 'true' : undefined },
        });
      } catch (err) {
        if (err instanceof ApiRequestError && isImportReport(err.body)) return err.body;
        throw err;
      }
    },
    exportRoster: (unitId: string): Promise<DownloadedFile> =>
      client.download(apiRoutes.orgUnits.rosterExport(unitId)),
    rosterTemplate: (): Promise<DownloadedFile> => client.download(apiRoutes.orgUnits.rosterTemplate),

    liveMeetings: (unitId: string) => client.get<LiveMeeting[]>(apiRoutes.meetings.live(unitId)),
    openLiveMeeting: (unitId: string, body: Partial<OpenRoomRequest> = {}) =>
      client.post<LiveMeeting>(apiRoutes.meetings.live(unitId), body),
    getMeeting: (meetingId: string) => client.get<LiveMeeting>(apiRoutes.meetings.one(meetingId)),
    /** The full meeting (schedule, people, agenda, settings, attendees). */
    meetingDetails: (meetingId: string) => client.get<Meeting>(apiRoutes.meetings.one(meetingId)),
    /** The branch's meetings whose planned start lies in [from, to). */
    meetingCalendar: (unitId: string, from: string, to: string) =>
      client.get<Meeting[]>(apiRoutes.meetings.ofUnit(unitId), { from, to }),
    scheduleMeeting: (unitId: string, body: ScheduleMeetingRequest) =>
      client.post<Meeting>(apiRoutes.meetings.ofUnit(unitId), body),
    scheduleSeries: (unitId: string, body: ScheduleSeriesRequest) =>
      client.post<Meeting[]>(apiRoutes.meetings.series(unitId), body),
    updateMeeting: (meetingId: string, body: UpdateMeetingRequest) =>
      client.patch<Meeting>(apiRoutes.meetings.one(meetingId), body),
    cancelMeeting: (meetingId: string, body: CancelMeetingRequest = {}) =>
      client.post<Meeting>(apiRoutes.meetings.cancel(meetingId), body),
    meetingAttendance: (meetingId: string) =>
      client.get<MeetingAttendance>(apiRoutes.meetings.attendance(meetingId)),
    exportAttendance: (meetingId: string, format: 'xlsx' | 'csv' | 'pdf'): Promise<DownloadedFile> =>
      client.download(
        format === 'xlsx'
          ? apiRoutes.meetings.attendanceXlsx(meetingId)
          : format === 'csv'
            ? apiRoutes.meetings.attendanceCsv(meetingId)
            : apiRoutes.meetings.signInPdf(meetingId),
      ),
    leaveRequests: (meetingId: string) =>
      client.get<LeaveRequest[]>(apiRoutes.meetings.leaveRequests(meetingId)),
    askLeave: (meetingId: string, reason: string, type: LeaveType = 'personal') =>
      client.post<LeaveRequest>(apiRoutes.meetings.leaveRequests(meetingId), { reason, type }),
    withdrawLeave: (leaveRequestId: string) =>
      client.post<LeaveRequest>(apiRoutes.meetings.leaveWithdraw(leaveRequestId), {}),
    todos: () => client.get<TodoList>(apiRoutes.todos),
    notificationPrefs: () => client.get<NotificationPrefs>(apiRoutes.notificationPrefs),
    setNotificationPrefs: (body: NotificationPrefs) =>
      client.request<NotificationPrefs>(apiRoutes.notificationPrefs, { method: 'PUT', body }),
    branchChannels: (unitId: string) => client.get<BranchChannels>(apiRoutes.branchChannels(unitId)),
    setBranchChannels: (unitId: string, body: BranchChannels) =>
      client.request<BranchChannels>(apiRoutes.branchChannels(unitId), { method: 'PUT', body }),
    decideLeave: (leaveRequestId: string, body: LeaveDecisionRequest) =>
      client.post<LeaveRequest>(apiRoutes.meetings.leaveDecision(leaveRequestId), body),

    notifications: (query: { limit?: number; before?: string } = {}) =>
      client.get<NotificationList>(apiRoutes.notifications.list, query),
    markNotificationsRead: (body: MarkNotificationsReadRequest) =>
      client.post<MarkNotificationsReadResult>(apiRoutes.notifications.read, body),

    meetingInvites: (meetingId: string) => client.get<MeetingInvite[]>(apiRoutes.meetings.invites(meetingId)),
    createInvite: (meetingId: string, body: Partial<CreateInviteRequest> = {}) =>
      client.post<CreatedInvite>(apiRoutes.meetings.invites(meetingId), body),
    revokeInvite: (inviteId: string) =>
      client.post<MeetingInvite>(apiRoutes.meetings.revokeInvite(inviteId), {}),
    guestPreview: (token: string) =>
      client.request<GuestMeetingInfo>(apiRoutes.guest.preview, {
        method: 'POST',
        body: { token },
        auth: false,
      }),
    guestJoin: (body: GuestJoinRequest) =>
      client.request<GuestSession>(apiRoutes.guest.join, { method: 'POST', body, auth: false }),

    statistics: (unitId: string, from: string, to: string) =>
      client.get<UnitStatistics>(apiRoutes.orgUnits.statistics(unitId), { from, to }),
    attendanceCorrections: (unitId: string, from: string, to: string) =>
      client.get<CorrectionListItem[]>(apiRoutes.orgUnits.attendanceCorrections(unitId), { from, to }),
    correctAttendance: (meetingId: string, userId: string, body: CorrectAttendanceRequest) =>
      client.request<MeetingAttendance>(apiRoutes.meetings.attendanceCorrection(meetingId, userId), {
        method: 'PUT',
        body,
      }),
    ledger: (unitId: string, from: string, to: string): Promise<DownloadedFile> =>
      client.download(apiRoutes.orgUnits.ledgerXlsx(unitId), { from, to }),
    attendanceRules: (unitId: string) =>
      client.get<BranchAttendanceRules>(apiRoutes.orgUnits.attendanceRules(unitId)),
    updateAttendanceRules: (unitId: string, body: UpdateAttendanceRulesRequest) =>
      client.request<UpdateAttendanceRulesResult>(apiRoutes.orgUnits.attendanceRules(unitId), {
        method: 'PUT',
        body,
      }),

    auditEvents: (query: { limit?: number; unitId?: string; beforeId?: string }) =>
      client.get<AuditEvent[]>(apiRoutes.audit.events, query),
    auditVerify: () => client.get<AuditVerifyResult>(apiRoutes.audit.verify),
  };
}

export function isImportReport(body: unknown): body is RosterImportReport {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as Record<string, unknown>;
  return typeof b.applied === 'boolean' && Array.isArray(b.errors) && typeof b.totalRows === 'number';
}

export const http = endpoints();
