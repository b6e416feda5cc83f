import type { RunPlan, RunSummary, TaskResult } from '../../src/reporters/types.js';
import { result, scenario, summarize } from './fixtures.js';

export const XSS_ID = 'x</script><img src=x onerror="window.__pwned=1"><!--';
export const XSS_SUITE = 'guess <&> "quotes"';

/**
 * The fixtures' scenario plus a task whose id, error and trajectory try to break out of a page, with what
 * a run with trials, gates and a baseline adds to its summary: suite metrics, a failed gate and verdicts.
 */
export function richRun(): { plan: RunPlan; results: TaskResult[]; summary: RunSummary } {
  const { plan: basePlan, results } = scenario();
  const plan: RunPlan = {
    ...basePlan,
    suites: basePlan.suites.map((s) => (s.name === XSS_SUITE ? { ...s, tasks: s.tasks + 1 } : s)),
    total: basePlan.total + 1,
  };
  results.push(
    result({
      suite: XSS_SUITE,
      taskId: XSS_ID,
      status: 'errored',
      reward: 0,
      steps: 1,
      error: { kind: 'agent', message: '<!-- <script>window.__pwned=2</script> & more' },
      trajectory: [
        { role: 'user', content: '</script><script>window.__pwned=3</script>' },
        {
          role: 'assistant',
          content: '<b>bold?</b>',
          tool_calls: [{ id: 'c<9>', type: 'function', function: { name: '<img src=y onerror="window.__pwned=4">', arguments: '{"q":"</script>"}' } }],
        },
      ],
    }),
  );
  const summary = summarize(plan, results);
  const [bfcl, guess] = summary.suites as [RunSummary['suites'][number], RunSummary['suites'][number]];
  return {
    plan,
    results,
    summary: {
      ...summary,
      suites: [
        { ...bfcl, metrics: { trials: 1, taskCount: 6, passRate: 2 / 6, meanReward: 2.5 / 6, meanRewardCI95: [0.1, 0.75], passAtK: 2 / 6, passHatK: 2 / 6 } },
        { ...guess, metrics: { trials: 2, taskCount: 3, passRate: 0.4, meanReward: 0.45, meanRewardCI95: [0.05, 0.85], passAtK: 0.5, passHatK: 0.25 } },
      ],
      gates: [{ suite: 'bfcl multi-turn', gate: 'passRate', expected: 0.8, actual: 2 / 6, message: 'pass rate 33.3% < 80% <i>gate</i>' }],
      comparison: {
        baseline: 'main/report.json',
        test: { name: 'one-sided Welch t-test', alpha: 0.05, minEffect: 0.1, description: 'Regressed when the mean drops by 0.1 or more with p < 0.05.' },
        counts: { regressed: 1, improved: 1, unchanged: 1, new: 0, missing: 0 },
        // deliberately not in verdict order: the page puts regressions first
        tasks: [
          { suite: 'bfcl multi-turn', taskId: 'multi_turn_base_10', verdict: 'unchanged', baseline: { trials: 1, meanReward: 1, passes: 1 }, current: { trials: 1, meanReward: 1, passes: 1 }, pValue: 1 },
          { suite: XSS_SUITE, taskId: 'g-1', verdict: 'improved', baseline: { trials: 2, meanReward: 0.2, passes: 0 }, current: { trials: 2, meanReward: 1, passes: 2 }, pValue: 0.01 },
          { suite: 'bfcl multi-turn', taskId: 'multi_turn_base_2', verdict: 'regressed', baseline: { trials: 1, meanReward: 1, passes: 1 }, current: { trials: 1, meanReward: 0.5, passes: 0 }, pValue: 0.0004 },
        ],
      },
    },
  };
}

