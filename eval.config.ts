import { defineConfig } from 'sandbox-eval';

export default defineConfig({
  include: ['evals/**/*.eval.ts'],
});
