module.exports = { displayName: 'local-deployment', preset: '../../jest.preset.cjs' };
