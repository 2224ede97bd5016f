import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';

/** Authorisation is needed by every feature's controllers: one global provider of the rules table. */
@Global()
@Module({ providers: [AccessService], exports: [AccessService] })
export class AccessModule {}
