import { Global, Module } from '@nestjs/common';
import { UserDirectoryModule } from '../auth/user-directory.service';
import { AccessService, OrgDirectory } from './access.service';
import { OrgsRepository } from './orgs.repository';

/**
 * Authorisation is needed by every feature's controllers: one global provider of the rules table, with the
 * read-only directories of units (OrgDirectory) and people (UserDirectory) that the rules and other features use.
 */
@Global()
@Module({
  imports: [UserDirectoryModule],
  providers: [OrgsRepository, AccessService, OrgDirectory],
  exports: [AccessService, OrgDirectory, UserDirectoryModule],
})
export class AccessModule {}
