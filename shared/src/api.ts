/**
 * The REST routes, in one place, so the server's controllers and the client's calls cannot drift apart.
 * Every path is relative to `/api`.
 */
export const apiRoutes = {
  health: '/health',
  auth: {
    login: '/auth/login',
    refresh: '/auth/refresh',
    logout: '/auth/logout',
    me: '/auth/me',
    changePassword: '/auth/change-password',
  },
  users: {
    resetPassword: (userId: string) => `/users/${userId}/reset-password`,
  },
  orgUnits: {
    list: '/org-units',
    one: (unitId: string) => `/org-units/${unitId}`,
    members: (unitId: string) => `/org-units/${unitId}/members`,
    member: (unitId: string, membershipId: string) => `/org-units/${unitId}/members/${membershipId}`,
    rosterImport: (unitId: string) => `/org-units/${unitId}/roster/import`,
    rosterExport: (unitId: string) => `/org-units/${unitId}/roster/export`,
    rosterTemplate: '/roster-template',
    /** Attendance statistics of a unit over a period (`?from&to`); for an upper unit, per branch below it. */
    statistics: (unitId: string) => `/org-units/${unitId}/statistics`,
    /** The period ledger (台账) as XLSX (`?from&to`; secretaries and upper levels). */
    ledgerXlsx: (unitId: string) => `/org-units/${unitId}/ledger.xlsx`,
    /** A branch's attendance rules (GET; PUT by its managers, optionally recomputing ended meetings). */
    attendanceRules: (unitId: string) => `/org-units/${unitId}/attendance-rules`,
    /** Every attendance correction of the unit (and the branches below it) over a period (`?from&to`). */
    attendanceCorrections: (unitId: string) => `/org-units/${unitId}/attendance-corrections`,
  },
  meetings: {
    /** The branch's live rooms (GET) / open a live room ad hoc (POST). */
    live: (unitId: string) => `/org-units/${unitId}/meetings/live`,
    one: (meetingId: string) => `/meetings/${meetingId}`,
    chat: (meetingId: string) => `/meetings/${meetingId}/chat`,
    /** The Q&A of a lecture (微课堂), during and after it. */
    questions: (meetingId: string) => `/meetings/${meetingId}/questions`,
    /** Per-member attendance of a meeting (computed from presence). */
    attendance: (meetingId: string) => `/meetings/${meetingId}/attendance`,
    /** A manager's correction of one person's status in an ended meeting (PUT, with a reason). */
    attendanceCorrection: (meetingId: string, userId: string) =>
      `/meetings/${meetingId}/attendance/${userId}/correction`,
    /** A meeting's attendance as a file (secretaries and upper levels only). */
    attendanceXlsx: (meetingId: string) => `/meetings/${meetingId}/attendance/export.xlsx`,
    attendanceCsv: (meetingId: string) => `/meetings/${meetingId}/attendance/export.csv`,
    /** The printable sign-in sheet (签到表). */
    signInPdf: (meetingId: string) => `/meetings/${meetingId}/attendance/sign-in.pdf`,
    /** The branch's meetings in a period (GET ?from&to, the calendar) / schedule one (POST). */
    ofUnit: (unitId: string) => `/org-units/${unitId}/meetings`,
    cancel: (meetingId: string) => `/meetings/${meetingId}/cancel`,
    /** Ask for leave (POST) / the leave requests (GET: managers all, a member their own). */
    leaveRequests: (meetingId: string) => `/meetings/${meetingId}/leave-requests`,
    leaveDecision: (leaveRequestId: string) => `/leave-requests/${leaveRequestId}/decision`,
    /** The member takes back their own pending request (POST). */
    leaveWithdraw: (leaveRequestId: string) => `/leave-requests/${leaveRequestId}/withdraw`,
    /** A monthly 主题党日 series: one request, one meeting per month (POST; managers). */
    series: (unitId: string) => `/org-units/${unitId}/meeting-series`,
    /** Invite links for outside guests (GET the list / POST a new one; managers). */
    invites: (meetingId: string) => `/meetings/${meetingId}/invites`,
    revokeInvite: (inviteId: string) => `/meeting-invites/${inviteId}/revoke`,
    /** The meeting's recordings, its live recording state and one's make-up progress (GET). */
    recordings: (meetingId: string) => `/meetings/${meetingId}/recordings`,
    /** Start / stop the live meeting's recording (POST; host or lecturer). */
    recording: (meetingId: string) => `/meetings/${meetingId}/recording`,
  },
  recordings: {
    /** DELETE (host, branch managers; audited). */
    one: (recordingId: string) => `/recordings/${recordingId}`,
    /** The file, with HTTP Range support (GET). */
    file: (recordingId: string) => `/recordings/${recordingId}/file`,
    /** Replay progress reports (POST), every few seconds while playing. */
    progress: (recordingId: string) => `/recordings/${recordingId}/progress`,
  },
  /** Public: what an invite link opens, and a guest's entry by it (a guest token for that one meeting). */
  guest: {
    preview: '/guest/preview',
    join: '/guest/join',
  },
  notifications: {
    /** One's own notifications, newest first (GET ?limit&before). */
    list: '/notifications',
    /** Marks some or all of one's notifications read (POST). */
    read: '/notifications/read',
  },
  /** One's to-do list (待办, GET). */
  todos: '/todos',
  /** One's channels beyond the tab: address, robot, which events where (GET / PUT). */
  notificationPrefs: '/notification-prefs',
  /** A branch's channels switched on (GET: readers; PUT: managers). */
  branchChannels: (unitId: string) => `/org-units/${unitId}/notification-channels`,
  minutes: {
    /** A meeting's minutes (GET; created with the meeting's fields on first read) / the typed fields (PATCH). */
    one: (meetingId: string) => `/meetings/${meetingId}/minutes`,
    sign: (meetingId: string) => `/meetings/${meetingId}/minutes/sign`,
    submit: (meetingId: string) => `/meetings/${meetingId}/minutes/submit`,
    approve: (meetingId: string) => `/meetings/${meetingId}/minutes/approve`,
    return: (meetingId: string) => `/meetings/${meetingId}/minutes/return`,
    corrections: (meetingId: string) => `/meetings/${meetingId}/minutes/corrections`,
    revisions: (meetingId: string) => `/meetings/${meetingId}/minutes/revisions`,
    revision: (meetingId: string, number: string | number) =>
      `/meetings/${meetingId}/minutes/revisions/${number}`,
    docx: (meetingId: string) => `/meetings/${meetingId}/minutes/export.docx`,
    pdf: (meetingId: string) => `/meetings/${meetingId}/minutes/export.pdf`,
    attachments: (meetingId: string) => `/meetings/${meetingId}/minutes/attachments`,
    attachment: (meetingId: string, attachmentId: string) =>
      `/meetings/${meetingId}/minutes/attachments/${attachmentId}`,
    /** A branch's archive, searched (`?q&status&from&to&limit&offset`). */
    ofUnit: (unitId: string) => `/org-units/${unitId}/minutes`,
    /** A period's minutes of a branch in one file (`?from&to`). */
    periodDocx: (unitId: string) => `/org-units/${unitId}/minutes/export.docx`,
    periodPdf: (unitId: string) => `/org-units/${unitId}/minutes/export.pdf`,
    /** Minutes waiting for the caller's review (secretaries of units above branches). */
    inbox: '/minutes/inbox',
  },
  audit: {
    events: '/audit/events',
    verify: '/audit/verify',
  },
} as const;
