import type { Context } from '../context.js';

export interface LearnOptions {
  eval?: boolean;
}

const percent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${Math.round(x * 100)}%`);

/** `learn`: adapt the classifier to the person's own labels; `--eval`: how good the guesses are on them. */
export async function run(ctx: Context, options: LearnOptions): Promise<void> {
  const { config } = await ctx.config();
  const store = await ctx.store();
  const learning = await import('../../triage/learning.js');
  if (options.eval) {
    const figures = await learning.accuracyOnLabels(store.db);
    if (ctx.io.json) return ctx.io.outJson(figures);
    if (figures.labels === 0) {
      ctx.io.out('no category set by hand yet: set some with triage (c) or `mark <id> <status> --category <c>`, then run learn --eval again');
      return;
    }
    ctx.io.out(`accuracy on your ${figures.labels} hand-set categories: ${percent(figures.accuracy)}`);
    const width = Math.max(...Object.keys(figures.perCategory).map((c) => c.length));
    for (const [category, { right, of }] of Object.entries(figures.perCategory).sort((a, b) => b[1].of - a[1].of)) {
      ctx.io.out(`  ${category.padEnd(width)}  ${percent(right / of).padStart(4)}  (${right} of ${of})`);
    }
    return;
  }
  const report = await learning.learn(store.db, ctx.now());
  if (!report.skipped) {
    const { recomputePriorities } = await import('../../triage/assess.js');
    await recomputePriorities(store.db, config, ctx.now());
  }
  if (ctx.io.json) return ctx.io.outJson(report);
  if (report.skipped) {
    ctx.io.out(`nothing learnt: ${report.skipped}`);
    return;
  }
  ctx.io.out(`learnt from ${report.labels} of your labels (${report.categoryLabels} categories set by hand, ${report.outcomeLabels} outcomes)`);
  const e = report.evaluation;
  if (e) {
    ctx.io.out(`category accuracy on your newest ${e.heldOut} labels (learnt on the ${e.labelsUsed} before them): ${percent(e.before.accuracy)} before → ${percent(e.after.accuracy)} after`);
  }
  ctx.io.out(`${report.reguessed} open mention${report.reguessed === 1 ? '' : 's'} guessed again, ${report.changed} changed and their priorities recomputed (categories you set stay as you set them)`);
}
