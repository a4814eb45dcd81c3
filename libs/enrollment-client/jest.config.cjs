module.exports = { displayName: 'enrollment-client', preset: '../../jest.preset.cjs' };
