import type { SimResult } from './result';

export function renderReport(result: SimResult, description?: string): string {
  return `# ${result.config.name}\n\n${description ?? ''}\n\n\`\`\`json\n${JSON.stringify(result.metrics.phases.measure.lookups, null, 2)}\n\`\`\`\n`;
}
