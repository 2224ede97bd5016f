import { Module } from '@nestjs/common';
import { LectureQaService } from './lecture-qa.service';
import { LecturesController } from './lectures.controller';

/** Lecture mode (微课堂) outside the live room's signalling: the Q&A store and its REST listing. */
@Module({
  controllers: [LecturesController],
  providers: [LectureQaService],
  exports: [LectureQaService],
})
export class LecturesModule {}
