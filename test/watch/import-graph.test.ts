import { describe, expect, it } from 'vitest';
import { ImportGraph } from '../../src/watch/import-graph.js';

/** a.eval -> agent -> helper; b.eval -> helper; config -> envs; notes is imported by nobody. */
function graph(): ImportGraph {
  const g = new ImportGraph();
  g.record([
    { child: '/p/a.eval.ts' },
    { parent: '/p/a.eval.ts', child: '/p/agent.ts' },
    { parent: '/p/agent.ts', child: '/p/helper.ts' },
    { child: '/p/b.eval.ts' },
    { parent: '/p/b.eval.ts', child: '/p/helper.ts' },
    { child: '/p/eval.config.ts' },
    { parent: '/p/eval.config.ts', child: '/p/envs.ts' },
  ]);
  return g;
}

describe('ImportGraph', () => {
  it('finds the roots that reach a changed file through any chain of imports', () => {
    const g = graph();
    expect(g.rootsAffectedBy(['/p/agent.ts'])).toEqual(new Set(['/p/a.eval.ts']));
    expect(g.rootsAffectedBy(['/p/helper.ts'])).toEqual(new Set(['/p/a.eval.ts', '/p/b.eval.ts']));
    expect(g.rootsAffectedBy(['/p/envs.ts'])).toEqual(new Set(['/p/eval.config.ts']));
  });

  it('counts a changed root as affected by itself', () => {
    expect(graph().rootsAffectedBy(['/p/b.eval.ts'])).toEqual(new Set(['/p/b.eval.ts']));
  });

  it('answers nothing for a file no root imports, so editing it re-runs nothing', () => {
    const g = graph();
    expect(g.rootsAffectedBy(['/p/notes.ts'])).toEqual(new Set());
    expect(g.has('/p/notes.ts')).toBe(false);
    expect(g.has('/p/helper.ts')).toBe(true);
  });

  it('forgets an import a module dropped when that module was evaluated again', () => {
    const g = graph();
    // agent.ts no longer imports helper.ts; b.eval.ts was not evaluated this time and keeps its import
    g.record([{ child: '/p/a.eval.ts' }, { parent: '/p/a.eval.ts', child: '/p/agent.ts' }, { parent: '/p/agent.ts', child: '/p/other.ts' }]);
    expect(g.rootsAffectedBy(['/p/helper.ts'])).toEqual(new Set(['/p/b.eval.ts']));
    expect(g.rootsAffectedBy(['/p/other.ts'])).toEqual(new Set(['/p/a.eval.ts']));
  });

  it('terminates on import cycles', () => {
    const g = new ImportGraph();
    g.record([
      { child: '/p/a.eval.ts' },
      { parent: '/p/a.eval.ts', child: '/p/x.ts' },
      { parent: '/p/x.ts', child: '/p/y.ts' },
      { parent: '/p/y.ts', child: '/p/x.ts' },
    ]);
    expect(g.rootsAffectedBy(['/p/y.ts'])).toEqual(new Set(['/p/a.eval.ts']));
  });
});
