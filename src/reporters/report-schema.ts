import { z } from 'zod';

/**
 * The JSON report (schemaVersion 1) as a zod schema, the twin of schema/report.schema.json, which is
 * what other tools read. Objects are loose: fields may be added to version 1, none may change meaning,
 * so a reader of an older copy of this schema must still accept a newer report.
 */

export const REPORT_SCHEMA_VERSION = 1;

const count = z.int().nonnegative();

export const reportSummarySchema = z.looseObject({
  tasks: count,
  passed: count,
  failed: count,
  errored: count,
  meanReward: z.number(),
});

export const reportErrorSchema = z.looseObject({
  kind: z.enum(['agent', 'env', 'infra', 'timeout']),
  message: z.string(),
  /** The `SE_*` code of the error, when it had one. */
  code: z.string().optional(),
});

export const reportMessageSchema = z.looseObject({
  role: z.string(),
  content: z.string(),
  tool_calls: z.array(z.looseObject({})).optional(),
  tool_call_id: z.string().optional(),
});

export const reportTaskSchema = z
  .looseObject({
    taskId: z.string(),
    trial: count,
    reward: z.number(),
    status: z.enum(['passed', 'failed', 'errored']),
    steps: count,
    durationMs: z.number().nonnegative(),
    /** Present exactly when `status` is `errored`. */
    error: reportErrorSchema.optional(),
    /** The environment's evaluation detail, when it gave one. */
    evaluation: z.record(z.string(), z.unknown()).optional(),
    /** Runs of the episode when infrastructure errors were retried. */
    attempts: count.optional(),
    trajectory: z.array(reportMessageSchema),
  })
  .refine((task) => (task.status === 'errored') === (task.error !== undefined), {
    message: '`error` must be present on errored tasks and only on them',
    path: ['error'],
  });

export const reportSuiteSchema = z.looseObject({
  name: z.string(),
  dataset: z.string(),
  split: z.string(),
  /** The eval file relative to the project root; absent for ad hoc runs. */
  file: z.string().optional(),
  /** The reward at or above which a task passes. */
  pass: z.number().optional(),
  /** Trials per task. */
  trials: count.optional(),
  /** The suite's gates (minimums), when it has them. */
  thresholds: z.looseObject({}).optional(),
  durationMs: z.number().nonnegative().optional(),
  summary: reportSummarySchema,
  /** Trial-aware statistics: pass rate, pass@k, pass^k, 95% CI of the mean reward. */
  metrics: z.looseObject({}).optional(),
  tasks: z.array(reportTaskSchema),
});

export const reportSchema = z.looseObject({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  runId: z.string().optional(),
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().nonnegative(),
  /** How the run ended. */
  reason: z.enum(['passed', 'failed', 'errored', 'interrupted']).optional(),
  summary: reportSummarySchema,
  /** Infrastructure errors retried, in total. */
  retries: count.optional(),
  /** Thresholds that failed. */
  gates: z.array(z.looseObject({})).optional(),
  /** The comparison with --baseline: the test used and per-task verdicts. */
  comparison: z.looseObject({}).optional(),
  suites: z.array(reportSuiteSchema),
});

export type JsonReport = z.infer<typeof reportSchema>;
export type JsonReportSuite = z.infer<typeof reportSuiteSchema>;
export type JsonReportTask = z.infer<typeof reportTaskSchema>;
