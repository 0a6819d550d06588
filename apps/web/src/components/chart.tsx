import { useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

/** Colours with at least 4.5:1 against white, told apart by dash or fill as well as by hue. */
export const COLOURS = {
  blue: '#1d4f91',
  red: '#b3261e',
  orange: '#9a4d00',
  green: '#2e6b30',
  purple: '#6a3d9a',
  teal: '#00695c',
  grey: '#555555',
};
export const SERIES_COLOURS = Object.values(COLOURS);

/** uPlot's time axis in UTC, as the ledger's dates are. */
export const utc = (seconds: number) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC');

/**
 * A uPlot chart sized to its container. The figure names what it shows for screen readers; each page
 * also gives the numbers behind it as a table. `options` and `data` should be memoised: a new value
 * draws the chart anew.
 */
export function Chart(props: {
  title: string;
  description: string;
  options: ChartOptions;
  data: uPlot.AlignedData;
  height?: number;
}) {
  const { options, data, height = 260 } = props;
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = () => Math.max(280, element.clientWidth);
    const plot = new uPlot({ ...options, width: width(), height }, data, element);
    // Resize at most once a frame, and only when the width changed: setSize itself triggers the observer.
    let frame = 0;
    const observer = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (plot.width !== width()) plot.setSize({ width: width(), height });
      });
    });
    observer.observe(element);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data, height]);
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="chart-canvas" role="img" aria-label={`${props.title}. ${props.description}`} />
    </figure>
  );
}
