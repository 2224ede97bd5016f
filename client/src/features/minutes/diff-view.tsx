import type { DiffPart } from '@branchmeet/shared';
import { theme } from 'antd';

/** A revision's line diff against the one before: removed lines struck through in red, added ones in green. */
export function DiffView({ parts }: { parts: DiffPart[] }) {
  const { token } = theme.useToken();
  return (
    <pre
      data-testid="minutes-diff"
      style={{
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
        fontFamily: 'inherit',
        maxHeight: '65vh',
        overflow: 'auto',
        margin: 0,
      }}
    >
      {parts.map((p, i) => (
        <span
          key={i}
          data-diff={p.added ? 'added' : p.removed ? 'removed' : 'same'}
          style={
            p.added
              ? { background: token.colorSuccessBg, color: token.colorSuccessText }
              : p.removed
                ? {
                    background: token.colorErrorBg,
                    color: token.colorErrorText,
                    textDecoration: 'line-through',
                  }
                : { color: token.colorTextSecondary }
          }
        >
          {p.value}
        </span>
      ))}
    </pre>
  );
}
