import type { HourBucket } from '@/lib/admin/delivery-stats';
import { OUTCOMES } from '@/lib/admin/delivery-stats';
import { OUTCOME_COLORS } from './outcome-style';

const WIDTH = 720;
const HEIGHT = 180;
const PLOT_TOP = 12;
const PLOT_BOTTOM = HEIGHT - 22;
const LEFT = 34;
const GAP = 3;

const hourLabel = (date: Date) => `${String(date.getUTCHours()).padStart(2, '0')}:00`;

/** One bar's stacked segments, bottom up, in OUTCOMES order. */
function segments(bucket: HourBucket, scale: number) {
  let bottom = PLOT_BOTTOM;
  return OUTCOMES.filter((outcome) => bucket.counts[outcome] > 0).map((outcome) => {
    const height = bucket.counts[outcome] * scale;
    bottom -= height;
    return { outcome, top: bottom, height };
  });
}

/** Deliveries per hour, stacked by outcome, as plain SVG rendered on the server: no script, no chart library. */
export function DeliveriesChart({ hourly }: { hourly: HourBucket[] }) {
  const totals = hourly.map((bucket) => OUTCOMES.reduce((sum, outcome) => sum + bucket.counts[outcome], 0));
  const max = Math.max(1, ...totals);
  const slot = (WIDTH - LEFT) / Math.max(1, hourly.length);
  const scale = (PLOT_BOTTOM - PLOT_TOP) / max;
  const present = OUTCOMES.filter((outcome) => hourly.some((bucket) => bucket.counts[outcome] > 0));
  const total = totals.reduce((sum, count) => sum + count, 0);

  return (
    <figure className="deliveries-chart" style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={`Deliveries per hour by outcome over the last ${hourly.length} hours: ${total} in total, at most ${max} in one hour`}
      >
        <line x1={LEFT} x2={WIDTH} y1={PLOT_BOTTOM} y2={PLOT_BOTTOM} stroke="#e3e4e8" />
        <line x1={LEFT} x2={WIDTH} y1={PLOT_TOP} y2={PLOT_TOP} stroke="#e3e4e8" strokeDasharray="3 3" />
        <text x={LEFT - 6} y={PLOT_TOP + 4} textAnchor="end" fontSize="11" fill="#61646b">
          {max}
        </text>
        <text x={LEFT - 6} y={PLOT_BOTTOM} textAnchor="end" fontSize="11" fill="#61646b">
          0
        </text>
        {hourly.map((bucket, index) => {
          const x = LEFT + index * slot + GAP / 2;
          return (
            <g key={bucket.start.toISOString()}>
              {segments(bucket, scale).map(({ outcome, top, height }) => (
                <rect key={outcome} x={x} y={top} width={slot - GAP} height={height} style={{ fill: OUTCOME_COLORS[outcome] }}>
                  <title>{`${hourLabel(bucket.start)} UTC: ${bucket.counts[outcome]} ${outcome}`}</title>
                </rect>
              ))}
              {index % 6 === 0 && (
                <text x={x} y={HEIGHT - 6} fontSize="11" fill="#61646b">
                  {hourLabel(bucket.start)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption className="muted" style={{ fontSize: '.85rem', display: 'flex', flexWrap: 'wrap', gap: '4px 14px' }}>
        {present.length === 0
          ? 'No deliveries in the last 24 hours.'
          : present.map((outcome) => (
              <span key={outcome}>
                <svg width="10" height="10" aria-hidden="true" style={{ marginRight: 4 }}>
                  <rect width="10" height="10" rx="2" style={{ fill: OUTCOME_COLORS[outcome] }} />
                </svg>
                {outcome}
              </span>
            ))}
        <span>Hours in UTC.</span>
      </figcaption>
    </figure>
  );
}
