module.exports = { displayName: 'bootstrap', preset: '../../jest.preset.cjs' };
