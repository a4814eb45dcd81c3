module.exports = { displayName: 'native-memory', preset: '../../jest.preset.cjs' };
