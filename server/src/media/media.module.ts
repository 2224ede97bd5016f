import { DynamicModule, Module } from '@nestjs/common';
import { loadMediaConfig, type MediaConfig } from './media.config';
import { MEDIA_CONFIG, MediaService } from './media.service';

/**
 * The SFU. `MediaModule.forRoot()` reads its settings from the environment (media.config.ts) when the module
 * is created; the workers start when it initialises and stop when the application closes.
 */
@Module({})
export class MediaModule {
  static forRoot(config?: MediaConfig): DynamicModule {
    return {
      module: MediaModule,
      providers: [
        config
          ? { provide: MEDIA_CONFIG, useValue: config }
          : { provide: MEDIA_CONFIG, useFactory: () => loadMediaConfig() },
        MediaService,
      ],
      exports: [MediaService],
    };
  }
}
