import { createCanvas } from '@napi-rs/canvas';
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Title } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Title);

export interface BarChart {
  readonly title: string;
  readonly bars: readonly { readonly label: string; readonly value: number }[];
}

/**
 * A horizontal bar chart as PNG bytes: Chart.js drawing on a server-side canvas
 * (@napi-rs/canvas ships its native part as an npm package, so nothing is downloaded
 * besides the registry's packages).
 */
export async function renderBarChart(chart: BarChart): Promise<Buffer> {
  const width = 1000;
  const height = 120 + chart.bars.length * 48;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = 'white';
  context.fillRect(0, 0, width, height);
  const drawn = new Chart(context as unknown as ConstructorParameters<typeof Chart>[0], {
    type: 'bar',
    data: {
      labels: chart.bars.map((bar) => bar.label),
      datasets: [{ data: chart.bars.map((bar) => bar.value), backgroundColor: '#3b6ea8' }],
    },
    options: {
      indexAxis: 'y',
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: { title: { display: true, text: chart.title, font: { size: 16 } } },
      scales: { x: { beginAtZero: true } },
    },
  });
  const png = await canvas.encode('png');
  drawn.destroy();
  return png;
}
