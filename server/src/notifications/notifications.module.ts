import { Module } from '@nestjs/common';
import { NotificationsController } from './notifications.controller';
import { AuditModule } from '../audit/audit.module';
import { ChannelsController } from './channels.controller';
import { ChannelsRepository } from './channels.repository';
import { ChannelsService } from './channels.service';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryService } from './delivery.service';
import { NotificationsService } from './notifications.service';
import { NotificationsRepository } from './notifications.repository';
import { RecipientsRepository } from './recipients.repository';
import { TodosService } from './todos.service';

/** In-app notifications: stored, listed, marked read; pushed through the /rtc gateway; meeting reminders. */
@Module({
  imports: [AuditModule],
  controllers: [NotificationsController, ChannelsController],
  providers: [
    NotificationsRepository,
    NotificationsService,
    TodosService,
    DeliveryRepository,
    DeliveryService,
    ChannelsRepository,
    ChannelsService,
    RecipientsRepository,
  ],
  exports: [NotificationsService, RecipientsRepository],
})
export class NotificationsModule {}
