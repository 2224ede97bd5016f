import { Module } from '@nestjs/common';
import { MeetingDirectoryModule } from '../meetings/meeting-directory.service';
import { LectureQaLive } from './lecture-qa-live';
import { LectureQaRepository } from './lecture-qa.repository';
import { LectureQaService } from './lecture-qa.service';
import { LecturesController } from './lectures.controller';

/** Lecture mode (微课堂) Q&A: its store, its REST listing and its part of the live room's signalling. */
@Module({
  imports: [MeetingDirectoryModule],
  controllers: [LecturesController],
  providers: [LectureQaRepository, LectureQaService, LectureQaLive],
  exports: [LectureQaService, LectureQaLive],
})
export class LecturesModule {}
