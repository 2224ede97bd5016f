import Icon from '@ant-design/icons';
import type { GetProps } from 'antd';

/** A raised hand (antd's icon set has none; an emoji is not in every font). */
function HandSvg() {
  return (
    <svg viewBox="0 0 24 24" width="1em" height="1em" fill="currentColor" aria-hidden="true">
      <path d="M21 7.5v10.25C21 20.1 19.1 22 16.75 22h-4.9c-1.05 0-2.05-.42-2.8-1.16L3.3 15.1l1.02-1.02c.39-.39 1-.44 1.45-.12L8 15.5V5.25a1.25 1.25 0 0 1 2.5 0V11h.75V3.25a1.25 1.25 0 0 1 2.5 0V11h.75V4.25a1.25 1.25 0 0 1 2.5 0V11h.75V7.5a1.25 1.25 0 0 1 2.5 0z" />
    </svg>
  );
}

export function HandIcon(props: Partial<GetProps<typeof Icon>>) {
  return <Icon component={HandSvg} {...props} />;
}
