/** An import of a project module; `parent` is absent when the runner itself imported it (a root). */
export interface GraphEdge {
  parent?: string;
  child: string;
}

/**
 * Which project module imports which, from what the loader saw, so watch mode re-runs only the
 * suites a changed file reaches. Roots are the modules the runner imported itself: eval files, the
 * config, agent and reporter modules named by path.
 */
export class ImportGraph {
  readonly #imports = new Map<string, Set<string>>();
  readonly #roots = new Set<string>();

  /**
   * Records one generation's imports. A module seen importing gets exactly the imports seen now
   * (one that dropped an import stops reaching it); modules not evaluated this time keep theirs.
   */
  record(edges: Iterable<GraphEdge>): void {
    const seen = new Map<string, Set<string>>();
    for (const { parent, child } of edges) {
      if (parent === undefined) {
        this.#roots.add(child);
        continue;
      }
      let children = seen.get(parent);
      if (!children) seen.set(parent, (children = new Set()));
      children.add(child);
    }
    for (const [parent, children] of seen) this.#imports.set(parent, children);
  }

  /** Whether the loader has seen this file, as a root or an import. */
  has(file: string): boolean {
    if (this.#roots.has(file) || this.#imports.has(file)) return true;
    for (const children of this.#imports.values()) if (children.has(file)) return true;
    return false;
  }

  /** The roots that are among `files` or import one of them, directly or through other modules. */
  rootsAffectedBy(files: Iterable<string>): Set<string> {
    const importers = new Map<string, string[]>();
    for (const [parent, children] of this.#imports) {
      for (const child of children) {
        const list = importers.get(child);
        if (list) list.push(parent);
        else importers.set(child, [parent]);
      }
    }
    const reached = new Set<string>(files);
    const queue = [...reached];
    while (queue.length > 0) {
      const file = queue.pop()!;
      for (const parent of importers.get(file) ?? []) {
        if (reached.has(parent)) continue;
        reached.add(parent);
        queue.push(parent);
      }
    }
    return new Set([...reached].filter((file) => this.#roots.has(file)));
  }
}
