export * from './messages';
export * from './common';
export * from './auth';
export * from './orgs';
export * from './audit';
export * from './api';
export * from './rtc';
export * from './attendance';
