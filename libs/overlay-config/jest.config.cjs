module.exports = { displayName: 'overlay-config', preset: '../../jest.preset.cjs' };
