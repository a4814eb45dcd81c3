module.exports = { displayName: 'client-sdk', preset: '../../jest.preset.cjs' };
