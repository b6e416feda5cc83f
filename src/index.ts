/**
 * sandbox-eval's public API. Anything not exported here is internal.
 */

// writing suites, configs, agents and environments
export { defineConfig, defineEval } from './runner/config.js';
export type { EvalSuite, ReporterSpec, TaskSelection, UserConfig } from './runner/config.js';
export type { ProviderName } from './providers/names.js';
export type { Agent, AgentContext, TaskRef } from './agents/types.js';
export { openaiAgent } from './agents/openai.js';
export type { OpenAIAgentOptions } from './agents/openai.js';
export { defineEnvironment } from './envs/types.js';
export type { CreateInstanceOptions, EnvInstance, Environment, EnvironmentDefinition, EnvironmentLoadOptions } from './envs/types.js';
export { EnvironmentRegistry } from './envs/registry.js';
export { builtinEnvironments } from './envs/builtins.js';
export { appworldEnvironment } from './envs/appworld/index.js';
export type { AppWorldEnvironmentOptions } from './envs/appworld/index.js';
export { rewardOf } from './protocol/messages.js';
export type { EvaluationResult, InitialState, Message, Role, StepResult, ToolCall, ToolSpec } from './protocol/messages.js';

// running from code (the CLI is a thin layer over these)
export { runEvals } from './runner/run.js';
export type { ExitCode, ProviderSource, RunEvalsOptions, RunOutcome } from './runner/run.js';
export { watchEvals } from './watch/watch.js';
export type { WatchEvalsOptions, WatchOutcome } from './watch/watch.js';
export { resolveConfig } from './runner/resolve-config.js';
export type { ResolvedConfig, RunOptions } from './runner/resolve-config.js';

// sandboxes: in-process, over HTTP, and the server
export type { InstanceMetrics, Sandbox } from './sandbox/types.js';
export { InstanceManager } from './sandbox/instance-manager.js';
export type { InstanceManagerOptions } from './sandbox/instance-manager.js';
export { InProcessSandbox } from './sandbox/in-process.js';
export { HttpSandbox, waitForHealthy } from './sandbox/http-client.js';
export type { HttpSandboxOptions } from './sandbox/http-client.js';
export { createSandboxServer, serve } from './sandbox/http-server.js';
export type { SandboxServer, SandboxServerOptions, ServeHandle, ServeOptions } from './sandbox/http-server.js';

// providers
export type { RunInfo, SandboxProvider } from './providers/types.js';
export { EmbeddedProvider } from './providers/embedded.js';
export { RemoteProvider } from './providers/remote.js';
export { DockerProvider } from './providers/docker/docker-provider.js';
export type { DockerProviderOptions } from './providers/docker/docker-provider.js';
export { builtinImages, resolveImage } from './providers/docker/images.js';
export type { DockerConfig, DockerImageOverride, RegistryAuth, ResolvedImage, SandboxImage } from './providers/docker/images.js';

// reporters and the report format
export { DefaultReporter, GithubReporter, HtmlReporter, JsonReporter, JUnitReporter, ReporterSet, builtinReporters, resolveReporters, reportSchema } from './reporters/index.js';
export type { JsonReport, ReporterContext } from './reporters/index.js';
export type {
  Awaitable,
  ErrorKind,
  PlannedTask,
  Reporter,
  RunEndReason,
  RunPlan,
  RunSummary,
  Summary,
  SuitePlan,
  SuiteSummary,
  TaskResult,
  TaskStatus,
} from './reporters/types.js';

// errors: match on `code`, since an eval file may load a second copy of the package
export * from './errors.js';
