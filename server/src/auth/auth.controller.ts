import { Controller, Get, HttpCode, Ip, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  apiRoutes,
  ChangePasswordRequest,
  LoginRequest,
  LogoutRequest,
  RefreshRequest,
  ResetPasswordRequest,
} from '@branchmeet/shared';
import { UuidPipe } from '../common/uuid.pipe';
import { ZodBody } from '../common/zod';
import { AccessService } from '../orgs/access.service';
import { AllowTemporaryPassword, AuthUser, CurrentUser, Public } from './auth-user';
import { AuthService } from './auth.service';
import { LoginThrottleGuard } from './login-throttle.guard';

@ApiTags('auth')
@ApiBearerAuth()
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly access: AccessService,
  ) {}

  @Public()
  @UseGuards(LoginThrottleGuard)
  @Post(apiRoutes.auth.login)
  @HttpCode(200)
  login(@ZodBody(LoginRequest) body: LoginRequest, @Ip() ip: string) {
    return this.auth.login(body, ip);
  }

  @Public()
  @Post(apiRoutes.auth.refresh)
  @HttpCode(200)
  refresh(@ZodBody(RefreshRequest) body: RefreshRequest) {
    return this.auth.refresh(body.refreshToken);
  }

  @Public()
  @Post(apiRoutes.auth.logout)
  @HttpCode(204)
  async logout(@ZodBody(LogoutRequest) body: LogoutRequest) {
    await this.auth.logout(body.refreshToken);
  }

  @AllowTemporaryPassword()
  @Get(apiRoutes.auth.me)
  me(@CurrentUser() user: AuthUser) {
    return this.auth.me(user.id);
  }

  @AllowTemporaryPassword()
  @Post(apiRoutes.auth.changePassword)
  @HttpCode(204)
  async changePassword(
    @CurrentUser() user: AuthUser,
    @ZodBody(ChangePasswordRequest) body: ChangePasswordRequest,
  ) {
    await this.auth.changePassword(user.id, body, user.sessionId);
  }

  @Post(apiRoutes.users.resetPassword(':userId'))
  @HttpCode(200)
  async resetPassword(
    @CurrentUser() user: AuthUser,
    @Param('userId', UuidPipe) userId: string,
    @ZodBody(ResetPasswordRequest) body: ResetPasswordRequest,
  ) {
    await this.access.assertGlobal(user, 'user.reset_password');
    return this.auth.resetPassword(user.id, userId, body.newPassword);
  }
}
