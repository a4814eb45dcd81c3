module.exports = { displayName: 'sim', preset: '../../jest.preset.cjs' };
