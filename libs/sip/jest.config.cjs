module.exports = { displayName: 'sip', preset: '../../jest.preset.cjs' };
