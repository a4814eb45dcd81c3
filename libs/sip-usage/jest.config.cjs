module.exports = { displayName: 'sip-usage', preset: '../../jest.preset.cjs' };
