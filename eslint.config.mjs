// Flat ESLint config. Module boundaries are the point: apps depend on libs, libs never on apps,
// domain libs (I/O-free rules) import no network or database clients. Type-aware rules catch
// floating promises, which are the usual source of lost errors in async services.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Module-boundary rules. Production code: apps → libs, libs never → apps, domain libs stay I/O-free.
 * Tests (`tests: true`) may also use the testing lib.
 */
function boundaries({ tests }) {
  const testing = tests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // Layering by type: what a kind of project may import.
      {
        sourceTag: 'type:app',
        onlyDependOnLibsWithTags: ['type:adapter', 'type:domain', 'type:contracts', 'type:testing'],
      },
      {
        sourceTag: 'type:adapter',
        onlyDependOnLibsWithTags: ['type:adapter', 'type:domain', 'type:contracts', ...testing],
      },
      {
        sourceTag: 'type:domain',
        onlyDependOnLibsWithTags: ['type:domain', ...testing],
        bannedExternalImports: tests ? [] : ioPackages,
      },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
      {
        sourceTag: 'type:testing',
        onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:domain', 'type:contracts'],
      },
      {
        sourceTag: 'type:e2e',
        onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:domain', 'type:contracts'],
      },
      {
        sourceTag: 'type:tool',
        onlyDependOnLibsWithTags: ['type:testing', 'type:adapter', 'type:domain', 'type:contracts'],
      },
      // Scopes: an app sees its own code and the shared libs, never another app.
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:enrollment', onlyDependOnLibsWithTags: ['scope:enrollment', 'scope:shared'] },
      { sourceTag: 'scope:bootstrap', onlyDependOnLibsWithTags: ['scope:bootstrap', 'scope:shared'] },
      { sourceTag: 'scope:peer', onlyDependOnLibsWithTags: ['scope:peer', 'scope:shared'] },
      { sourceTag: 'scope:relay', onlyDependOnLibsWithTags: ['scope:relay', 'scope:shared'] },
      { sourceTag: 'scope:client', onlyDependOnLibsWithTags: ['scope:client', 'scope:shared'] },
      { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared'] },
      { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:shared'] },
    ],
  };
}

const ioPackages = ['@grpc/*', '@nats-io/*', 'mongodb', 'lmdb', 'pino', 'prom-client', 'commander'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'tmp/**',
      '.nx/**',
      'libs/proto/src/gen/**',
      '.local-deployment/**',
    ],
  },
  ...nx.configs['flat/base'],
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/unbound-method': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: false })],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: {
      // Tests of any lib may use the testing helpers (real NATS, test PKI, processes).
      '@nx/enforce-module-boundaries': ['error', boundaries({ tests: true })],
      // Test doubles are often async generators or handlers with nothing to await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.cjs', '**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
