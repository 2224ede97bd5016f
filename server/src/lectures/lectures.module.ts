import { Module } from '@nestjs/common';
import { LectureQaLive } from './lecture-qa-live';
import { LectureQaService } from './lecture-qa.service';
import { LecturesController } from './lectures.controller';

/** Lecture mode (微课堂) Q&A: its store, its REST listing and its part of the live room's signalling. */
@Module({
  controllers: [LecturesController],
  providers: [LectureQaService, LectureQaLive],
  exports: [LectureQaService, LectureQaLive],
})
export class LecturesModule {}
