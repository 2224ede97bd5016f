import { iceServersFor, turnCredentials } from './turn-credentials';

describe('TURN REST credentials', () => {
  const secret = 'coturn-shared-secret-xyz';

  it('names the expiry and the user, signed with HMAC-SHA1 of the shared secret (vector from openssl)', () => {
    const c = turnCredentials(secret, 'user-42', 3600, 1_700_000_000_000);
    expect(c).toEqual({
      username: '1700003600:user-42',
      // printf '1700003600:user-42' | openssl dgst -sha1 -hmac coturn-shared-secret-xyz -binary | base64
      credential: 'PxPvRODnb/r+cBqk12DAo2+hvIg=',
      expiresAt: 1_700_003_600,
    });
  });

  it('gives each user and each moment its own credential', () => {
    const a = turnCredentials(secret, 'user-1', 600, 1_700_000_000_000);
    expect(turnCredentials(secret, 'user-2', 600, 1_700_000_000_000).credential).not.toBe(a.credential);
    expect(turnCredentials(secret, 'user-1', 600, 1_700_000_060_000).credential).not.toBe(a.credential);
    expect(turnCredentials('another-secret-entirely', 'user-1', 600, 1_700_000_000_000).credential).not.toBe(
      a.credential,
    );
  });

  it('hands out STUN URLs bare and TURN URLs with credentials', () => {
    const servers = iceServersFor(
      {
        urls: [
          'stun:turn.example.org:3478',
          'turn:turn.example.org:3478?transport=udp',
          'turns:turn.example.org:5349',
        ],
        secret,
        ttlSeconds: 60,
      },
      'user-7',
      1_700_000_000_000,
    );
    expect(servers).toEqual([
      { urls: ['stun:turn.example.org:3478'] },
      {
        urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
        username: '1700000060:user-7',
        credential: turnCredentials(secret, 'user-7', 60, 1_700_000_000_000).credential,
      },
    ]);
    expect(iceServersFor({ urls: [], ttlSeconds: 60 }, 'user-7')).toEqual([]);
  });
});
