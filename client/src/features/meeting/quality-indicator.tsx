import { Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { LinkQuality } from '../../media';

const BARS: Record<LinkQuality, number> = { good: 3, weak: 2, lost: 0 };
const COLOR: Record<LinkQuality, string> = { good: '#52c41a', weak: '#faad14', lost: '#ff4d4f' };

/** Signal bars (good / weak / lost), as on a phone: oneself in the header, every remote tile in its label. */
export function QualityIndicator({ quality, testId }: { quality: LinkQuality; testId: string }) {
  const { t } = useTranslation();
  const label = t(`network.${quality}`);
  return (
    <Tooltip title={label}>
      <span
        className="bm-quality"
        role="img"
        aria-label={label}
        data-testid={testId}
        data-quality={quality}
        style={{ display: 'inline-flex', alignItems: 'flex-end', gap: 1, height: 12 }}
      >
        {[1, 2, 3].map((bar) => (
          <span
            key={bar}
            style={{
              width: 3,
              height: 4 * bar,
              borderRadius: 1,
              background: bar <= BARS[quality] ? COLOR[quality] : 'rgba(255,255,255,0.35)',
              outline: quality === 'lost' ? `1px solid ${COLOR.lost}` : undefined,
            }}
          />
        ))}
      </span>
    </Tooltip>
  );
}
