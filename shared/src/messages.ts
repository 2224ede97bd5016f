import { z } from 'zod';

/**
 * Every message the server sends people, in both UI languages. Code names a message by its key (domain errors,
 * custom messages of the shared schemas, roster import reasons); the edge renders it in the request's locale.
 * Placeholders are `{name}`; a parameter may itself be a message (`{ key }`), rendered in the same locale.
 */
export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'zh-CN';

type Entry = Record<Locale, string>;

export const messages = {
  // Accounts and sessions
  'auth.signInFirst': { 'zh-CN': '请先登录', en: 'sign in first' },
  'auth.noAccessToken': { 'zh-CN': '请先登录（缺少访问令牌）', en: 'sign in first: no access token' },
  'auth.tokenInvalid': {
    'zh-CN': '访问令牌无效或已过期',
    en: 'the access token is invalid or has expired',
  },
  'auth.wrongCredentials': {
    'zh-CN': '手机号、用户名或密码错误',
    en: 'wrong phone number, username or password',
  },
  'auth.sessionExpired': { 'zh-CN': '登录已过期，请重新登录', en: 'the session has expired; sign in again' },
  'auth.accountGone': { 'zh-CN': '该账号已不存在', en: 'the account no longer exists' },
  'auth.wrongCurrentPassword': { 'zh-CN': '当前密码不正确', en: 'the current password is wrong' },
  'auth.sessionEnded': {
    'zh-CN': '此次登录已结束（已退出、密码已修改或被撤销），请重新登录',
    en: 'this session has ended (signed out, password changed or revoked); sign in again',
  },
  'auth.mustChangePassword': {
    'zh-CN': '请先修改临时密码',
    en: 'change your temporary password first',
  },
  'auth.tooManyAttempts': {
    'zh-CN': '登录尝试次数过多，请 {seconds} 秒后再试',
    en: 'too many sign-in attempts; try again in {seconds} seconds',
  },

  // Access
  'access.forbidden': { 'zh-CN': '您无权执行此操作', en: 'you are not allowed to do this' },
  'access.roleForbids': {
    'zh-CN': '您在{unit}的职务不允许此操作（{action}）',
    en: 'your role in {unit} does not allow this ({action})',
  },
  'access.adminOnly': {
    'zh-CN': '只有系统管理员可以执行此操作（{action}）',
    en: 'only a system administrator may do this ({action})',
  },
  'notFound.user': { 'zh-CN': '用户不存在', en: 'user not found' },
  'notFound.member': { 'zh-CN': '成员不存在', en: 'member not found' },
  'notFound.unit': { 'zh-CN': '组织不存在', en: 'organisation unit not found' },

  // Organisation tree and rosters
  'unitType.committee': { 'zh-CN': '党委', en: 'committee' },
  'unitType.general_branch': { 'zh-CN': '党总支', en: 'general branch' },
  'unitType.branch': { 'zh-CN': '党支部', en: 'branch' },
  'unitType.group': { 'zh-CN': '党小组', en: 'group' },
  'orgs.rootMustBeCommittee': {
    'zh-CN': '没有上级的组织必须是党委',
    en: 'a unit without a parent must be a committee (党委)',
  },
  'orgs.invalidParent': {
    'zh-CN': '{child}不能设在{parent}之下',
    en: 'a {child} cannot be placed under a {parent}',
  },
  'orgs.hasUnits': {
    'zh-CN': '{unit}下还有 {count} 个组织',
    en: '{unit} still has {count} units under it',
  },
  'orgs.hasMembers': { 'zh-CN': '{unit}还有 {count} 名成员', en: '{unit} still has {count} members' },
  'orgs.phoneTaken': {
    'zh-CN': '手机号 {phone} 已被注册',
    en: 'phone {phone} is already registered',
  },
  'orgs.identityElsewhere': {
    'zh-CN': '此人也属于您不管理的组织：姓名、手机号和党员类型只能由其所有组织的管理者或系统管理员修改',
    en: 'this person also belongs to units you do not manage: only a manager of all of them or an administrator may change their name, phone or member type',
  },
  'orgs.alreadyMember': {
    'zh-CN': '{name}已是{unit}的成员',
    en: '{name} is already a member of {unit}',
  },
  'orgs.groupNotInUnit': {
    'zh-CN': '该党小组不属于{unit}',
    en: 'the party group is not part of {unit}',
  },

  // Roster import: the file, and the reasons of a bad row
  'import.noFile': {
    'zh-CN': '请以表单字段 "file" 上传花名册文件',
    en: 'attach the roster file as the form field "file"',
  },
  'import.emptyFile': { 'zh-CN': '文件是空的', en: 'the file is empty' },
  'import.noMembers': { 'zh-CN': '文件只有表头，没有成员', en: 'the file has a header but no members' },
  'import.tooManyRows': {
    'zh-CN': '花名册文件最多 {max} 行',
    en: 'a roster file may have at most {max} rows',
  },
  'import.fileTooLarge': {
    'zh-CN': '文件解压后超过 {mb} MB，不是一份花名册',
    en: 'the file inflates to more than {mb} MB; that is not a roster',
  },
  'import.busy': {
    'zh-CN': '正在处理的导入过多，请稍后再试',
    en: 'too many imports are running; try again shortly',
  },
  'import.tooFrequent': {
    'zh-CN': '导入过于频繁，请 {seconds} 秒后再试',
    en: 'too many imports; try again in {seconds} seconds',
  },
  'import.badHeader': {
    'zh-CN': '第一行须为列名；缺少：{missing}',
    en: 'the first row must name the columns; missing: {missing}',
  },
  'import.unreadable': {
    'zh-CN': '{format} 文件无法读取：{reason}',
    en: 'the {format} file cannot be read: {reason}',
  },
  'import.groupsOnlyForBranch': {
    'zh-CN': '只有党支部的花名册可以填写党小组',
    en: 'party groups can only be given for a branch (党支部)',
  },
  'import.unknownRole': {
    'zh-CN': '未知职务“{value}”（可填：{options}）',
    en: 'unknown role "{value}" (use {options})',
  },
  'import.unknownMemberType': {
    'zh-CN': '未知党员类型“{value}”（可填：{options}）',
    en: 'unknown member type "{value}" (use {options})',
  },
  'import.duplicatePhone': {
    'zh-CN': '手机号 {phone} 与第 {row} 行重复',
    en: 'phone {phone} is also on row {row}',
  },
  'import.probationaryPost': {
    'zh-CN': '预备党员不能担任职务',
    en: 'a probationary member (预备党员) cannot hold a post',
  },
  'import.phoneOfOther': {
    'zh-CN': '手机号 {phone} 已被注册',
    en: 'phone {phone} is already registered',
  },

  // Custom messages of the shared schemas (zod's own messages come from its locales, see zodIssueMessage)
  'validation.phone': {
    'zh-CN': '手机号须为 11 位大陆手机号码',
    en: 'phone must be an 11-digit mainland mobile number',
  },
  'validation.badNumber': {
    'zh-CN': '编号必须是 1 到 {max} 之间的整数',
    en: 'the number must be a whole number from 1 to {max}',
  },
  'validation.unsafeText': {
    'zh-CN': '含有不允许的字符（空字符或不成对的代理字符）',
    en: 'contains a character that is not allowed (NUL or an unpaired surrogate)',
  },
  'validation.loginRequired': { 'zh-CN': '请输入手机号或用户名', en: 'enter a phone number or username' },
  'validation.passwordRequired': { 'zh-CN': '请输入密码', en: 'enter the password' },
  'validation.passwordTooShort': {
    'zh-CN': '密码至少 {minimum} 个字符',
    en: 'password must have at least {minimum} characters',
  },
  'validation.passwordTooLong': {
    'zh-CN': '密码最多 {maximum} 个字符',
    en: 'password must have at most {maximum} characters',
  },
  'validation.newPasswordSame': {
    'zh-CN': '新密码不能与当前密码相同',
    en: 'the new password must differ from the current one',
  },
  'validation.unitNameRequired': { 'zh-CN': '请填写组织名称', en: 'name is required' },
  'validation.unitNameTooLong': {
    'zh-CN': '组织名称最多 {maximum} 个字符',
    en: 'name is at most {maximum} characters',
  },
  'validation.personNameRequired': { 'zh-CN': '请填写姓名', en: 'name is required' },
  'validation.personNameTooLong': {
    'zh-CN': '姓名最多 {maximum} 个字符',
    en: 'name is at most {maximum} characters',
  },
  'validation.nothingToChange': { 'zh-CN': '没有要修改的内容', en: 'nothing to change' },
  'validation.invalidRequest': { 'zh-CN': '请求无效', en: 'invalid request' },
  'validation.badId': { 'zh-CN': '地址中的编号无效', en: 'the id in the path is not a valid UUID' },

  // Live meetings and the /rtc room
  'notFound.meeting': { 'zh-CN': '会议不存在', en: 'meeting not found' },
  'meetings.defaultTitle': { 'zh-CN': '{unit}线上会议', en: '{unit} online meeting' },
  'meetings.ended': { 'zh-CN': '会议已结束', en: 'the meeting has ended' },
  // Scheduling and leave requests (请假)
  'meetings.notStarted': {
    'zh-CN': '会议尚未开始，请等候主持人开启会议室',
    en: 'the meeting has not started yet; wait for the host to open the room',
  },
  'meetings.cancelled': { 'zh-CN': '会议已取消', en: 'the meeting has been cancelled' },
  'meetings.notEditable': {
    'zh-CN': '会议已结束或已取消，不能再修改',
    en: 'the meeting has ended or been cancelled and can no longer be changed',
  },
  'meetings.branchOnly': { 'zh-CN': '只有党支部可以安排会议', en: 'only a branch schedules meetings' },
  'meetings.cancelLive': {
    'zh-CN': '会议正在进行，不能取消（请结束会议）',
    en: 'the meeting is in progress and cannot be cancelled; end it instead',
  },
  'meetings.hostInRoom': {
    'zh-CN': '会议进行中，请在会议室内移交主持人',
    en: 'the meeting is in progress; hand over the host role in the room',
  },
  'meetings.noSecretary': {
    'zh-CN': '本支部尚未设书记，请指定主持人',
    en: 'the branch has no secretary; choose a host',
  },
  'meetings.notOfBranch': {
    'zh-CN': '{who}不是本支部的党员',
    en: '{who} is not a member of the branch',
  },
  'meetings.groupNotOfBranch': {
    'zh-CN': '该党小组不属于本支部',
    en: 'that party group does not belong to the branch',
  },
  'meetings.roleHost': { 'zh-CN': '主持人', en: 'the host' },
  'meetings.roleRecorder': { 'zh-CN': '记录人', en: 'the recorder' },
  'meetings.roleLecturer': { 'zh-CN': '授课人', en: 'the lecturer' },
  'meetings.roleObserver': { 'zh-CN': '列席人员', en: 'an observer' },
  'validation.groupRequired': {
    'zh-CN': '党小组会须选择党小组',
    en: 'a party group meeting needs its party group',
  },
  'validation.endAfterStart': {
    'zh-CN': '结束时间须晚于开始时间',
    en: 'the end must be after the start',
  },
  'validation.dateTime': {
    'zh-CN': '时间格式无效（需要带时区的 ISO 8601 时间）',
    en: 'invalid time (an ISO 8601 date-time with an offset is expected)',
  },
  'validation.periodTooLong': {
    'zh-CN': '统计区间过长（最多三年）',
    en: 'the period is too long (three years at most)',
  },
  'validation.reasonRequired': { 'zh-CN': '请填写请假事由', en: 'give a reason' },
  'notFound.leaveRequest': { 'zh-CN': '请假申请不存在', en: 'leave request not found' },
  'leave.notExpected': {
    'zh-CN': '您不在本次会议的应到名单中',
    en: 'you are not expected at this meeting',
  },
  'leave.meetingClosed': {
    'zh-CN': '会议已结束或已取消，不能再请假',
    en: 'the meeting has ended or been cancelled; leave can no longer be requested',
  },
  'leave.duplicate': {
    'zh-CN': '您已有待审批或已批准的请假申请',
    en: 'you already have a pending or approved leave request',
  },
  'leave.alreadyDecided': { 'zh-CN': '该请假申请已处理', en: 'that leave request has already been decided' },
  'export.pdfFontMissing': {
    'zh-CN':
      '服务器缺少中文字体，无法生成 PDF（PDF_CJK_FONT={path}）；请安装 fonts-noto-cjk 或设置 PDF_CJK_FONT',
    en: 'the server has no CJK font for PDFs (PDF_CJK_FONT={path}); install fonts-noto-cjk or set PDF_CJK_FONT',
  },
  // Attendance rules, final records, series, notifications, guests
  'attendance.notEnded': {
    'zh-CN': '会议尚未结束，不能补学',
    en: 'the meeting has not ended; it cannot be made up yet',
  },
  'attendance.notBranch': {
    'zh-CN': '考勤规则只能由党支部设置',
    en: 'attendance rules are set by a branch',
  },
  'notFound.invite': { 'zh-CN': '邀请链接不存在', en: 'invite link not found' },
  'invite.invalid': {
    'zh-CN': '邀请链接无效、已过期或已被撤销',
    en: 'the invite link is invalid, expired or revoked',
  },
  'invite.meetingClosed': {
    'zh-CN': '会议已结束或已取消，邀请链接不可再用',
    en: 'the meeting has ended or been cancelled; the invite link no longer works',
  },
  'invite.alreadyRevoked': { 'zh-CN': '该邀请链接已撤销', en: 'that invite link has already been revoked' },
  'validation.inviteToken': { 'zh-CN': '邀请链接不完整', en: 'the invite link is incomplete' },
  'auth.guestToken': {
    'zh-CN': '来宾身份只能进入受邀的会议',
    en: 'a guest may only enter the meeting they were invited to',
  },
  'rtc.guestCannotHost': { 'zh-CN': '来宾不能担任主持人', en: 'a guest cannot host the meeting' },
  'meetings.guestWaitsForHost': {
    'zh-CN': '会议尚未开始，请等待主持人开始会议',
    en: 'the meeting has not started; wait for the host to start it',
  },
  'rtc.badHandshake': {
    'zh-CN': '连接参数无效：{reason}',
    en: 'invalid connection parameters: {reason}',
  },
  'rtc.protocolMismatch': {
    'zh-CN': '客户端版本过旧（协议 {got}，服务器为 {want}），请刷新页面',
    en: 'the client is out of date (protocol {got}, the server speaks {want}); reload the page',
  },
  'rtc.rateLimited': {
    'zh-CN': '操作过于频繁，请 {seconds} 秒后再试',
    en: 'too many requests; try again in {seconds} seconds',
  },
  'rtc.mediaState': {
    'zh-CN': '媒体连接状态不允许此操作：{reason}',
    en: 'the media connection is not in a state that allows this: {reason}',
  },
  'rtc.notInRoom': { 'zh-CN': '请先加入会议', en: 'join the meeting first' },
  'rtc.ownerUnavailable': {
    'zh-CN': '会议正在转移到另一台服务器，请稍后重试',
    en: 'the meeting is moving to another server; try again in a moment',
  },
  'rtc.alreadyInRoom': {
    'zh-CN': '此连接已在会议中，请先离开',
    en: 'this connection is already in a meeting; leave it first',
  },
  'rtc.waitingForHost': {
    'zh-CN': '正在等候主持人准许入会',
    en: 'waiting for the host to let you in',
  },
  'rtc.hostOnly': { 'zh-CN': '只有主持人可以执行此操作', en: 'only the host may do this' },
  'rtc.cannotRemoveSelf': { 'zh-CN': '主持人不能移出自己', en: 'the host cannot remove themself' },
  'rtc.peerNotFound': { 'zh-CN': '参会人不在会议中', en: 'that participant is not in the meeting' },
  'rtc.removedFromMeeting': {
    'zh-CN': '您已被主持人移出本次会议',
    en: 'the host removed you from this meeting',
  },
  'rtc.mediaNotFound': {
    'zh-CN': '媒体对象不存在（{what}）',
    en: 'no such media object ({what})',
  },
  'rtc.cannotConsume': {
    'zh-CN': '您的设备无法接收该媒体（{reason}）',
    en: 'your device cannot receive this media ({reason})',
  },
  'rtc.sourceInUse': { 'zh-CN': '该媒体已在发送中', en: 'that source is already being sent' },
  'rtc.badMedia': { 'zh-CN': '媒体参数无效：{reason}', en: 'invalid media parameters: {reason}' },
  'rtc.noMediaWorker': {
    'zh-CN': '媒体服务暂不可用，请稍后重试',
    en: 'the media service is unavailable; try again shortly',
  },

  // Lecture mode (微课堂): receive-only audience, the floor, co-presenters, Q&A
  'lecture.listenerNoFloor': {
    'zh-CN': '听众需要主讲人给予发言权后才能发言',
    en: 'a listener may speak only once the lecturer gives them the floor',
  },
  'lecture.floorAudioOnly': {
    'zh-CN': '获得发言权的听众只能发送声音',
    en: 'a listener with the floor may send audio only',
  },
  'lecture.lecturerOnly': {
    'zh-CN': '只有主讲人或主持人可以执行此操作',
    en: 'only the lecturer or the host may do this',
  },
  'lecture.notLecture': { 'zh-CN': '本会议不是微课堂', en: 'this meeting is not a lecture' },
  'lecture.isPresenter': {
    'zh-CN': '主讲人和共同主讲人本身即可发言',
    en: 'the lecturer and co-presenters speak anyway',
  },
  'lecture.presentersOnly': {
    'zh-CN': '只有主讲人、主持人和共同主讲人可以查看听众名单',
    en: 'only the lecturer, the host and co-presenters may list the listeners',
  },
  'lecture.cannotRemoveLecturer': {
    'zh-CN': '不能取消主讲人的主讲身份',
    en: 'the lecturer cannot be removed as a presenter',
  },
  'notFound.question': { 'zh-CN': '问题不存在', en: 'question not found' },

  // Minutes (会议记录): live writing, votes, review, exports
  'notFound.minutes': { 'zh-CN': '会议记录不存在', en: 'minutes not found' },
  'notFound.attachment': { 'zh-CN': '附件不存在', en: 'attachment not found' },
  'notFound.revision': { 'zh-CN': '该版本不存在', en: 'no such revision' },
  'notFound.vote': { 'zh-CN': '表决不存在', en: 'vote not found' },
  'minutes.reasonRequired': { 'zh-CN': '请填写原因', en: 'give a reason' },
  'minutes.reasonTooLong': {
    'zh-CN': '原因最多 {maximum} 个字',
    en: 'the reason is at most {maximum} characters',
  },
  'minutes.updateTooLarge': {
    'zh-CN': '单次修改过大（最多约 1 MB）',
    en: 'the update is too large (about 1 MB at most)',
  },
  'minutes.badUpdate': { 'zh-CN': '修改内容格式无效', en: 'the update is not valid base64' },
  'minutes.notOpen': { 'zh-CN': '请先打开会议记录', en: 'open the minutes first' },
  'minutes.corruptUpdate': { 'zh-CN': '修改内容无法解析', en: 'the update could not be applied' },
  'minutes.busy': {
    'zh-CN': '纪要正被另一台服务器占用，请稍后重试',
    en: 'the minutes are held by another server; try again shortly',
  },
  'minutes.readOnly': {
    'zh-CN': '只有记录人和主持人可以编写会议记录',
    en: 'only the recorder and the host may write the minutes',
  },
  'minutes.locked': {
    'zh-CN': '会议记录已{status}，不能修改',
    en: 'the minutes are {status} and cannot be changed',
  },
  'minutes.statusDraft': { 'zh-CN': '为草稿', en: 'a draft' },
  'minutes.statusSubmitted': { 'zh-CN': '提交审核', en: 'submitted' },
  'minutes.statusApproved': { 'zh-CN': '审核通过', en: 'approved' },
  'minutes.statusReturned': { 'zh-CN': '被退回', en: 'returned' },
  'minutes.meetingCancelled': {
    'zh-CN': '会议已取消，没有会议记录',
    en: 'the meeting was cancelled; it has no minutes',
  },
  'minutes.notStarted': {
    'zh-CN': '会议尚未开始，不能提交会议记录',
    en: 'the meeting has not started; its minutes cannot be submitted',
  },
  'minutes.stillLive': {
    'zh-CN': '会议仍在进行，请在会议结束后提交记录',
    en: 'the meeting is still live; submit the minutes after it ends',
  },
  'minutes.notSubmitted': { 'zh-CN': '会议记录未在审核中', en: 'the minutes are not awaiting review' },
  'minutes.notApproved': {
    'zh-CN': '只有审核通过的会议记录可以更正',
    en: 'only approved minutes can be corrected',
  },
  'minutes.recorderOrManager': {
    'zh-CN': '只有记录人或支部书记、副书记、组织委员可以执行此操作',
    en: "only the recorder or the branch's secretaries may do this",
  },
  'minutes.notSignatory': {
    'zh-CN': '只有本次会议的主持人和记录人可以签字',
    en: "only the meeting's host and recorder sign the minutes",
  },
  'minutes.notAbsent': {
    'zh-CN': '{name}不在缺席名单中',
    en: '{name} is not among the absent',
  },
  'minutes.unknownSection': { 'zh-CN': '没有这一部分：{key}', en: 'no such section: {key}' },
  'minutes.nothingCorrected': {
    'zh-CN': '更正内容与原记录相同',
    en: 'the correction changes nothing',
  },
  'minutes.attachmentTooLarge': {
    'zh-CN': '附件过大（最多 {max} MB）',
    en: 'the attachment is too large ({max} MB at most)',
  },
  'minutes.attachmentMissing': { 'zh-CN': '请选择要上传的文件', en: 'choose a file to upload' },
  'vote.hostOnly': { 'zh-CN': '只有主持人可以发起和结束表决', en: 'only the host opens and closes votes' },
  'vote.meetingNotLive': { 'zh-CN': '只能在会议进行中表决', en: 'votes are held while the meeting is live' },
  'vote.noAgendaItem': { 'zh-CN': '没有第 {n} 项议题', en: 'there is no agenda item {n}' },
  'vote.oneOpen': {
    'zh-CN': '已有一项表决正在进行，请先结束它',
    en: 'another vote is open; close it first',
  },
  'vote.closed': { 'zh-CN': '表决已结束', en: 'the vote is closed' },
  'vote.noRight': {
    'zh-CN': '只有本次会议应到的正式党员有表决权（预备党员和列席人员没有表决权）',
    en: 'only full members expected at this meeting vote (not probationary members or observers)',
  },
  'vote.notInRoom': { 'zh-CN': '请先进入会议室再表决', en: 'enter the meeting room to vote' },
  'vote.alreadyCast': { 'zh-CN': '您已经投过票', en: 'you have already voted' },
  'vote.stillOpen': {
    'zh-CN': '还有未结束的表决，请主持人先结束表决',
    en: 'a vote is still open: the host closes it first',
  },

  // Errors the framework raises (by HTTP status), and the generic one
  'http.400': { 'zh-CN': '请求无效', en: 'bad request' },
  'http.401': { 'zh-CN': '请先登录', en: 'sign in first' },
  'http.403': { 'zh-CN': '您无权执行此操作', en: 'you are not allowed to do this' },
  'http.404': { 'zh-CN': '请求的地址不存在', en: 'not found' },
  'http.413': { 'zh-CN': '文件或请求体太大', en: 'the file or request body is too large' },
  'http.429': { 'zh-CN': '请求过于频繁，请稍后再试', en: 'too many requests; try again later' },
  'http.internal': { 'zh-CN': '服务器内部错误', en: 'internal error' },

  // Recording, replay and make-up study
  'notFound.recording': { 'zh-CN': '录像不存在', en: 'recording not found' },
  'recording.notAllowed': {
    'zh-CN': '本次会议不允许录像',
    en: 'recording is not allowed for this meeting',
  },
  'recording.hostOnly': {
    'zh-CN': '只有主持人或主讲人可以开始或停止录像',
    en: 'only the host or the lecturer may start or stop the recording',
  },
  'recording.notLive': {
    'zh-CN': '会议未在进行中，不能录像',
    en: 'the meeting is not live; it cannot be recorded',
  },
  'recording.alreadyRunning': { 'zh-CN': '正在录像中', en: 'the meeting is already being recorded' },
  'recording.notRunning': { 'zh-CN': '当前没有在录像', en: 'the meeting is not being recorded' },
  'recording.noLecturerMedia': {
    'zh-CN': '主讲人尚未发送音频或视频，无法录像',
    en: 'the lecturer sends no audio or video yet; there is nothing to record',
  },

  // Truthful attendance: corrections
  'notFound.attendanceRecord': {
    'zh-CN': '该人员不在本次会议的考勤名单中',
    en: 'this person is not on the meeting’s attendance list',
  },
  'attendance.correctNotEnded': {
    'zh-CN': '会议结束后才能更正考勤',
    en: 'attendance can be corrected once the meeting has ended',
  },
  'recording.unavailable': {
    'zh-CN': '本服务器不能录像（未找到 ffmpeg/ffprobe）：{reason}',
    en: 'recording is unavailable on this server (ffmpeg/ffprobe not found): {reason}',
  },
  // Notifications sent beyond the tab (e-mail, group robots): {title} {time} {unitName} {name} ...
  'notify.meeting.scheduled': {
    'zh-CN': '{unitName}安排了“{title}”，{time} 开始',
    en: '{unitName} scheduled “{title}” at {time}',
  },
  'notify.meeting.series_scheduled': {
    'zh-CN': '{unitName}安排了每月一次的“{title}”，首次 {time} 开始',
    en: '{unitName} scheduled a monthly “{title}”, the first at {time}',
  },
  'notify.meeting.updated': {
    'zh-CN': '“{title}”有变更，时间：{time}',
    en: '“{title}” changed; time: {time}',
  },
  'notify.meeting.cancelled': {
    'zh-CN': '“{title}”（原定 {time}）已取消',
    en: '“{title}” ({time}) was cancelled',
  },
  'notify.meeting.reminder': { 'zh-CN': '“{title}”将于 {time} 开始', en: '“{title}” starts at {time}' },
  'notify.meeting.started': {
    'zh-CN': '“{title}”已开始，请尽快入会',
    en: '“{title}” has started; please join',
  },
  'notify.leave.decided': {
    'zh-CN': '您对“{title}”（{time}）的请假申请已处理',
    en: 'Your leave request for “{title}” ({time}) was decided',
  },
  'notify.leave.requested': {
    'zh-CN': '{name}申请“{title}”（{time}）请假，请审批',
    en: '{name} asks for leave from “{title}” ({time}); please decide',
  },
  'notify.leave.withdrawn': {
    'zh-CN': '{name}撤回了“{title}”（{time}）的请假申请',
    en: '{name} withdrew their leave request for “{title}” ({time})',
  },
  'notify.minutes.submitted': {
    'zh-CN': '{unitName}“{title}”的会议记录已提交，待审核',
    en: 'The minutes of “{title}” ({unitName}) were submitted for review',
  },
  'notify.minutes.returned': {
    'zh-CN': '“{title}”的会议记录被退回修改',
    en: 'The minutes of “{title}” were returned for changes',
  },
  'notify.minutes.approved': {
    'zh-CN': '“{title}”的会议记录已审核通过',
    en: 'The minutes of “{title}” were approved',
  },
  'channels.webhookHost': {
    'zh-CN': '群机器人地址只能指向 {hosts}',
    en: 'a group-robot URL may only point at {hosts}',
  },
  'channels.branchOnly': {
    'zh-CN': '只有党支部可以设置通知渠道',
    en: 'only a branch switches notification channels on',
  },
  'notify.open': { 'zh-CN': '查看', en: 'Open' },
  'notify.signature': { 'zh-CN': '支部云会', en: 'BranchMeet' },
} as const satisfies Record<string, Entry>;

export type MessageKey = keyof typeof messages;
/** A message named by key, with its parameters: what code passes around until the edge renders it. */
export interface MessageRef {
  key: MessageKey;
  params?: MessageParams;
}
export type MessageParams = Record<string, string | number | MessageRef>;

/** A shared schema's custom message is a message key (checked at compile time), rendered at the edge. */
export const messageKey = (key: MessageKey): MessageKey => key;

export function isMessageKey(value: unknown): value is MessageKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(messages, value);
}

/** Renders a message in a locale; an unknown placeholder is left as it is. */
export function formatMessage(
  key: MessageKey,
  params: MessageParams = {},
  locale: Locale = defaultLocale,
): string {
  const template: string = messages[key][locale];
  return template.replace(/\{(\w+)\}/g, (whole: string, name: string): string => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = params[name];
    return typeof value === 'object' ? formatMessage(value.key, value.params, locale) : String(value);
  });
}

/**
 * The locale to answer in, from an Accept-Language header: English when the header prefers English over
 * Chinese, zh-CN otherwise (also when there is no header or it names neither).
 */
export function pickLocale(acceptLanguage: string | string[] | null | undefined): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(',') : (acceptLanguage ?? '');
  const ranges = header
    .split(',')
    .map((part, index) => {
      const [tag, ...attrs] = part.trim().toLowerCase().split(';');
      const q = attrs.map((a) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(a)).find(Boolean);
      return { tag: tag.trim(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return defaultLocale;
}

const zodLocales: Record<Locale, z.core.$ZodErrorMap> = {
  'zh-CN': z.locales.zhCN().localeError,
  en: z.locales.en().localeError,
};

/**
 * The message of a zod issue in a locale. A shared schema's custom message is a message key, rendered with the
 * issue's own fields as parameters (`{minimum}`, `{maximum}`...); any other issue is one of zod's built-in
 * messages, rendered again by zod's locale. Parse with `reportInput: true` so "received …" can be told.
 */
export function zodIssueMessage(issue: z.core.$ZodIssue, locale: Locale): string {
  if (isMessageKey(issue.message)) {
    const params: MessageParams = {};
    for (const [name, value] of Object.entries(issue)) {
      if (typeof value === 'string' || typeof value === 'number') params[name] = value;
      else if (typeof value === 'bigint') params[name] = value.toString();
    }
    return formatMessage(issue.message, params, locale);
  }
  const rendered = zodLocales[locale](issue as z.core.$ZodRawIssue);
  const text = typeof rendered === 'string' ? rendered : rendered?.message;
  return text ?? issue.message;
}
