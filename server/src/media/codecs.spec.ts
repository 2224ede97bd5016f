import { getSupportedRtpCapabilities } from 'mediasoup';
import { MEDIA_CODECS } from './media.types';

/**
 * Redundant audio (RED, audio/red) is what browsers offer for Opus on lossy links; mediasoup 3.32 does not
 * support it in router codecs, so the rooms offer Opus with in-band FEC and DTX instead. When an upgrade of
 * mediasoup adds audio/red, this test fails: then add it to MEDIA_CODECS (receivers without RED still get Opus).
 */
describe('router codecs', () => {
  it('mediasoup offers no audio/red to enable (yet)', () => {
    const mimeTypes = getSupportedRtpCapabilities().codecs?.map((c) => c.mimeType.toLowerCase()) ?? [];
    expect(mimeTypes).toContain('audio/opus');
    expect(mimeTypes).not.toContain('audio/red');
  });

  it('offer rooms offer Opus and simulcast-capable video codecs, each with a modest start bitrate for video', () => {
    expect(MEDIA_CODECS.map((c) => c.mimeType)).toEqual(['audio/opus', 'video/VP8', 'video/H264']);
    for (const c of MEDIA_CODECS.filter((x) => x.kind === 'video'))
      expect(c.parameters?.['x-google-start-bitrate']).toBeLessThanOrEqual(300);
  });
});
