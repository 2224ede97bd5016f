import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import {
  AddMemberRequest,
  apiRoutes,
  CreateOrgUnitRequest,
  ErrorCodes,
  type Locale,
  RosterQuery,
  UpdateMemberRequest,
  UpdateOrgUnitRequest,
} from '@branchmeet/shared';
import type { Response } from 'express';
import { AuthUser, CurrentUser } from '../auth/auth-user';
import { DomainError } from '../common/domain-error';
import { RequestLocale } from '../common/locale';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody, ZodQuery } from '../common/zod';
import { OrgsService } from './orgs.service';
import { RosterExportService } from './roster-export.service';
import { RosterService } from './roster.service';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const MAX_UPLOAD = 20 * 1024 * 1024;
const Uuid = UuidPipe;

function sendXlsx(res: Response, filename: string) {
  res.setHeader('Content-Type', XLSX);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`);
}

@ApiTags('org')
@ApiBearerAuth()
@Controller()
export class OrgsController {
  constructor(
    private readonly orgs: OrgsService,
    private readonly roster: RosterService,
    private readonly rosterFiles: RosterExportService,
  ) {}

  @Get(apiRoutes.orgUnits.list)
  list(@CurrentUser() user: AuthUser) {
    return this.orgs.list(user);
  }

  @Post(apiRoutes.orgUnits.list)
  create(@CurrentUser() user: AuthUser, @ZodBody(CreateOrgUnitRequest) body: CreateOrgUnitRequest) {
    return this.orgs.create(user, body);
  }

  @Get(apiRoutes.orgUnits.one(':unitId'))
  get(@CurrentUser() user: AuthUser, @Param('unitId', Uuid) unitId: string) {
    return this.orgs.get(user, unitId);
  }

  @Patch(apiRoutes.orgUnits.one(':unitId'))
  update(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @ZodBody(UpdateOrgUnitRequest) body: UpdateOrgUnitRequest,
  ) {
    return this.orgs.update(user, unitId, body);
  }

  @Delete(apiRoutes.orgUnits.one(':unitId'))
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('unitId', Uuid) unitId: string) {
    await this.orgs.remove(user, unitId);
  }

  @Get(apiRoutes.orgUnits.members(':unitId'))
  members(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @ZodQuery(RosterQuery) query: RosterQuery,
  ) {
    return this.orgs.roster(user, unitId, query.q);
  }

  @Post(apiRoutes.orgUnits.members(':unitId'))
  addMember(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @ZodBody(AddMemberRequest) body: AddMemberRequest,
  ) {
    return this.orgs.addMember(user, unitId, body);
  }

  @Patch(apiRoutes.orgUnits.member(':unitId', ':membershipId'))
  updateMember(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @Param('membershipId', Uuid) membershipId: string,
    @ZodBody(UpdateMemberRequest) body: UpdateMemberRequest,
  ) {
    return this.orgs.updateMember(user, unitId, membershipId, body);
  }

  @Delete(apiRoutes.orgUnits.member(':unitId', ':membershipId'))
  @HttpCode(204)
  async removeMember(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @Param('membershipId', Uuid) membershipId: string,
  ) {
    await this.orgs.removeMember(user, unitId, membershipId);
  }

  @Post(apiRoutes.orgUnits.rosterImport(':unitId'))
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiQuery({ name: 'dryRun', required: false, type: Boolean })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_UPLOAD, files: 1 } }))
  import(
    @CurrentUser() user: AuthUser,
    @Param('unitId', Uuid) unitId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
    @RequestLocale() locale: Locale,
    @Query('dryRun') dryRun?: string,
  ) {
    if (!file) throw new DomainError(ErrorCodes.validation, 400, 'import.noFile');
    return this.roster.import(user, unitId, file, dryRun === 'true' || dryRun === '1', locale);
  }

  @Get(apiRoutes.orgUnits.rosterExport(':unitId'))
  @ApiProduces(XLSX)
  async export(@CurrentUser() user: AuthUser, @Param('unitId', Uuid) unitId: string, @Res() res: Response) {
    const file = await this.rosterFiles.export(user, unitId);
    sendXlsx(res, file.filename);
    await file.write(res);
  }

  @Get(apiRoutes.orgUnits.rosterTemplate)
  @ApiProduces(XLSX)
  async template(@Res() res: Response) {
    sendXlsx(res, '花名册模板.xlsx');
    await this.rosterFiles.template(res);
  }
}
