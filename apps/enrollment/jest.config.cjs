module.exports = { displayName: 'enrollment', preset: '../../jest.preset.cjs' };
