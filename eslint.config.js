import tseslint from 'typescript-eslint';

// The pure core may not reach for the network, the database driver, the logger's transport or the clock.
const infrastructure = [
  'irc-framework',
  'matrix-bot-sdk',
  'better-sqlite3',
  'pino',
  'pino-pretty',
  'node:net',
  'node:tls',
  'node:http',
  'node:fs',
  'node:child_process',
];
const noInfrastructure = {
  'no-restricted-imports': [
    'error',
    {
      paths: infrastructure.map((name) => ({
        name,
        message: 'The core is pure: use the port interfaces in src/core instead.',
      })),
      patterns: [
        {
          group: ['**/networks/**', '**/store/sqlite*', '**/config/load*'],
          message: 'The core knows only interfaces.',
        },
      ],
    },
  ],
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'Take the time from the event or the injected Clock.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'process', message: 'Only the composition root reads the environment.' },
  ],
};

// The core owns its words (src/core/settings.ts): the config layer maps its files into them at the edge,
// so the core and the machines never import from src/config.
const coreOwnsItsWords = {
  ...noInfrastructure,
  'no-restricted-imports': [
    'error',
    {
      ...noInfrastructure['no-restricted-imports'][1],
      patterns: [
        ...noInfrastructure['no-restricted-imports'][1].patterns,
        {
          group: ['**/config/*', '**/config/**'],
          message: 'The core owns its words: use src/core/settings.ts; the config layer maps into it.',
        },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'packages/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/playbook/**/*.ts'], rules: noInfrastructure },
  { files: ['machines/**/*.ts', 'src/core/**/*.ts'], rules: coreOwnsItsWords },
  { files: ['scripts/**', 'bench/**', 'test/**', 'src/cli.ts'], rules: { 'no-console': 'off' } },
);
