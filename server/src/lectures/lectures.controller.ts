import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { apiRoutes, type QaList } from '@branchmeet/shared';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { UuidPipe } from '../common/uuid.pipe';
import { LectureQaService } from './lecture-qa.service';

@ApiTags('lectures')
@ApiBearerAuth()
@Controller()
export class LecturesController {
  constructor(private readonly qa: LectureQaService) {}

  /** The Q&A of a lecture, oldest first (anyone who may read the branch); live on /rtc during the lecture. */
  @Get(apiRoutes.meetings.questions(':meetingId'))
  questions(@CurrentUser() user: AuthUser, @Param('meetingId', UuidPipe) meetingId: string): Promise<QaList> {
    return this.qa.listFor(user, meetingId);
  }
}
